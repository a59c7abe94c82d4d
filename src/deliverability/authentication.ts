/**
 * SPF, DKIM, DMARC and ARC of a captured message, evaluated by mailauth as a receiving server
 * would, for the IP address the message will be sent from in production. Each result gets a
 * severity and a fix; what mailauth says is kept in the reason.
 */
import {
  type ARCResult,
  type AuthStatus,
  authenticate,
  type DKIMResult,
  type DMARCResult,
  type SPFResult,
} from 'mailauth';
import type { DnsLookup } from './dns.js';
import { alignedDomains, isLocalAddress } from './hosts.js';
import type {
  ArcCheck,
  AuthenticationChecks,
  AuthResult,
  DkimCheck,
  DkimSignatureCheck,
  DmarcCheck,
  SendingIp,
  SpfCheck,
} from './types.js';

export interface AuthenticationInput {
  raw: Buffer;
  /** MAIL FROM; `''` for the null reverse-path. */
  envelopeFrom: string;
  heloName: string | null;
  sendingIp: SendingIp;
  lookup: DnsLookup;
}

/** The name mailauth puts in its comments as the receiving MTA; stripped from the reasons. */
const MTA = 'mailport';

export async function checkAuthentication(input: AuthenticationInput): Promise<AuthenticationChecks> {
  const sender = input.envelopeFrom === '' ? undefined : input.envelopeFrom;
  const helo = input.heloName ?? undefined;
  const result = await authenticate(input.raw, {
    ip: input.sendingIp.address,
    ...(sender === undefined ? {} : { sender }),
    ...(helo === undefined ? {} : { helo }),
    mta: MTA,
    resolver: input.lookup,
    // BIMI (brand logos) is no part of authentication and would cost DNS and HTTP lookups.
    disableBimi: true,
  });
  const spf = spfCheck(result.spf, input, sender === undefined && helo === undefined);
  return {
    spf,
    dkim: dkimCheck(result.dkim.results ?? []),
    dmarc: dmarcCheck(result.dmarc, result.dkim.headerFrom ?? [], spf.severity === 'info' ? spf : null),
    arc: arcCheck(result.arc),
  };
}

function resultOf(status: AuthStatus | undefined): AuthResult {
  const result = status?.result ?? 'none';
  if (result === 'temperr') return 'temperror';
  return result === 'skipped' ? 'none' : result;
}

/** mailauth's comment without the MTA name it starts with. */
function commentOf(status: AuthStatus | undefined): string {
  return (status?.comment ?? '').replace(new RegExp(`^${MTA}: `), '');
}

function spfCheck(spf: SPFResult | false, input: AuthenticationInput, nothingToCheck: boolean): SpfCheck {
  const scope = input.envelopeFrom === '' ? 'helo' : 'mailfrom';
  const ip = input.sendingIp.address;
  if (spf === false || nothingToCheck) {
    return {
      result: 'none',
      scope,
      domain: null,
      record: null,
      severity: 'warning',
      reason:
        'The envelope sender is empty and the client gave no HELO name, so there was no domain to check SPF for.',
      fix: 'Send with a MAIL FROM address in your own domain.',
    };
  }
  const result = resultOf(spf.status);
  const domain = spf.domain;
  const record = spf.rr ?? null;
  const base = { result, scope, domain, record } as const;
  // An address of the developer's machine is in no SPF record: that says nothing about production.
  const localIp = input.sendingIp.source === 'client' && isLocalAddress(ip);
  const evaluatedFor = `SPF was evaluated for ${ip}, the address the message reached the sandbox from, not your production sending IP`;
  const askForIp =
    'Pass the production sending IP: ?ip=203.0.113.5 on the API, or --sending-ip for the server.';
  switch (result) {
    case 'pass':
      return { ...base, severity: null, reason: `The SPF record of ${domain} allows ${ip}.`, fix: null };
    case 'fail':
    case 'softfail':
    case 'neutral':
      if (localIp) return { ...base, severity: 'info', reason: `${evaluatedFor}: ${result}.`, fix: askForIp };
      return {
        ...base,
        severity: result === 'fail' ? 'error' : 'warning',
        reason: `The SPF record of ${domain} does not allow ${ip} (${result}: ${record ?? 'no record text'}).`,
        fix: `Add your sending service to the SPF record of ${domain} (its include: mechanism or ip4:/ip6: ranges), or send from an IP the record lists.`,
      };
    case 'none':
      return {
        ...base,
        severity: 'warning',
        reason: `${domain} publishes no SPF record.`,
        fix: `Publish a TXT record at ${domain} such as "v=spf1 include:<your provider> -all".`,
      };
    case 'temperror':
      return {
        ...base,
        severity: 'warning',
        reason: `SPF could not be evaluated: a DNS lookup failed (${commentOf(spf.status)}).`,
        fix: 'Check that the DNS server answers (see dns.failures), then run the checks again.',
      };
    default:
      return {
        ...base,
        severity: 'error',
        reason: `The SPF record of ${domain} is broken (${result}: ${commentOf(spf.status)}).`,
        fix: 'Fix the record: one v=spf1 record per domain, valid mechanisms, at most 10 DNS-querying mechanisms (RFC 7208 §4.6.4).',
      };
  }
}

function dkimCheck(results: readonly DKIMResult[]): DkimCheck {
  // mailauth reports an unsigned message as one `none` result without a signing domain.
  const signatures = results.filter((row) => row.signingDomain).map(signatureCheck);
  if (signatures.length === 0) {
    return {
      result: 'none',
      signatures,
      severity: 'warning',
      reason: 'The message has no DKIM signature.',
      fix: 'Sign outgoing mail with DKIM for your From domain; most providers sign once you publish the key they give you (the sandbox shows what your app sends, before the provider signs).',
    };
  }
  const passed = signatures.find((signature) => signature.result === 'pass');
  if (passed !== undefined) {
    return {
      result: 'pass',
      signatures,
      severity: null,
      reason: `The DKIM signature of ${passed.domain} verifies${passed.alignedWithFrom ? ' and aligns with the From domain' : ''}.`,
      fix: null,
    };
  }
  const first = signatures[0] as DkimSignatureCheck;
  return {
    result: first.result,
    signatures,
    severity: first.severity,
    reason: first.reason,
    fix: first.fix,
  };
}

/** What mailauth really returns per signature: its typings call `algo` and `format` otherwise. */
type DkimRow = DKIMResult & { algo?: string; format?: string };

/** mailauth's comment when the body hash (`bh=`) does not match the body. */
const BODY_HASH_MISMATCH = 'body hash did not verify';

function signatureCheck(row: DkimRow): DkimSignatureCheck {
  const comment = commentOf(row.status);
  // RFC 6376 §6.1.3 makes a body hash mismatch a failed verification, which RFC 8601 §2.7.1
  // names `fail`; mailauth reports it as `neutral`.
  const result = comment === BODY_HASH_MISMATCH ? 'fail' : resultOf(row.status);
  const base = {
    result,
    domain: row.signingDomain,
    selector: row.selector ?? null,
    algorithm: row.algo ?? null,
    canonicalization: row.format ?? null,
    alignedWithFrom: Boolean(row.status.aligned),
  };
  const keyName = `${row.selector ?? '<selector>'}._domainkey.${row.signingDomain}`;
  switch (result) {
    case 'pass':
      return {
        ...base,
        severity: null,
        reason: `The signature of ${row.signingDomain} verifies.`,
        fix: null,
      };
    case 'fail':
      return {
        ...base,
        severity: 'error',
        reason: `The signature of ${row.signingDomain} does not verify (${comment || 'bad signature'}): the message was changed after signing, or signed with another key than the one at ${keyName}.`,
        fix: 'Sign last, after every header and body change (footers, link rewriting, encoding), and publish the public key of the private key you sign with.',
      };
    case 'temperror':
      return {
        ...base,
        severity: 'warning',
        reason: `The key at ${keyName} could not be fetched (${comment}).`,
        fix: 'Check that the DNS server answers (see dns.failures), then run the checks again.',
      };
    default:
      return {
        ...base,
        severity: 'error',
        reason: `The signature of ${row.signingDomain} cannot be verified (${result}${comment ? `: ${comment}` : ''}).`,
        fix: `Publish the public key as a TXT record at ${keyName} ("v=DKIM1; k=rsa; p=…", at least 1024-bit, 2048 recommended).`,
      };
  }
}

/**
 * `localSpf` is the SPF check when it was evaluated for the developer's own address: then a DMARC
 * failure that an aligned SPF pass from the production IP would turn around says nothing yet.
 */
function dmarcCheck(
  dmarc: DMARCResult | false,
  headerFrom: readonly string[],
  localSpf: SpfCheck | null,
): DmarcCheck {
  const fromDomain =
    headerFrom.length === 1 ? (headerFrom[0]?.split('@').pop()?.toLowerCase() ?? null) : null;
  const noAlignment = {
    spf: { aligned: false, domain: null, mode: 'relaxed' },
    dkim: { aligned: false, domain: null, mode: 'relaxed' },
  } as const;
  if (dmarc === false || fromDomain === null) {
    return {
      result: 'permerror',
      fromDomain,
      policy: null,
      record: null,
      alignment: noAlignment,
      severity: 'error',
      reason: `DMARC needs exactly one From address; this message has ${headerFrom.length}.`,
      fix: 'Put exactly one address in the From header.',
    };
  }
  const result = resultOf(dmarc.status);
  const policy = dmarcPolicy(dmarc.policy);
  const base = {
    result,
    fromDomain,
    policy,
    record: dmarc.rr ?? null,
    alignment: dmarc.alignment
      ? {
          spf: alignmentOf(dmarc.alignment.spf),
          dkim: alignmentOf(dmarc.alignment.dkim),
        }
      : noAlignment,
  };
  switch (result) {
    case 'pass':
      return {
        ...base,
        severity: null,
        reason: `DMARC passes for ${fromDomain}: ${[base.alignment.dkim.aligned ? 'DKIM' : null, base.alignment.spf.aligned ? 'SPF' : null].filter(Boolean).join(' and ')} aligned.`,
        fix: null,
      };
    case 'fail':
      if (localSpf?.domain != null && alignedDomains(localSpf.domain, fromDomain)) {
        return {
          ...base,
          severity: 'info',
          reason: `DMARC fails for ${fromDomain}, but SPF was evaluated for the address the message reached the sandbox from, not your production sending IP; SPF for ${localSpf.domain} aligns with ${fromDomain}, so the result depends on that IP.`,
          fix: localSpf.fix,
        };
      }
      return {
        ...base,
        severity: policy === 'none' ? 'warning' : 'error',
        reason: `DMARC fails for ${fromDomain}: neither SPF nor DKIM passed for a domain aligned with it, and its policy is p=${policy ?? 'none'}${policy === 'reject' ? ', so receivers refuse the message' : policy === 'quarantine' ? ', so receivers put it in spam' : ''}.`,
        fix: `Sign with DKIM as d=${fromDomain} (or a subdomain), or send with a MAIL FROM domain under ${fromDomain} whose SPF record lists your sending IP.`,
      };
    case 'none':
      return {
        ...base,
        severity: 'warning',
        reason: `${fromDomain} publishes no DMARC record; Gmail and Yahoo require one from bulk senders since February 2024.`,
        fix: `Publish a TXT record at _dmarc.${fromDomain}, starting with "v=DMARC1; p=none; rua=mailto:…" and moving to quarantine or reject.`,
      };
    case 'temperror':
      return {
        ...base,
        severity: 'warning',
        reason: `DMARC could not be evaluated: a DNS lookup failed (${dmarc.error ?? commentOf(dmarc.status)}).`,
        fix: 'Check that the DNS server answers (see dns.failures), then run the checks again.',
      };
    default:
      return {
        ...base,
        severity: 'error',
        reason: `The DMARC record of ${fromDomain} could not be used (${result}).`,
        fix: `Fix the TXT record at _dmarc.${fromDomain} (RFC 7489 §6.3).`,
      };
  }
}

function dmarcPolicy(value: string | undefined): DmarcCheck['policy'] {
  const policy = value?.toLowerCase();
  return policy === 'none' || policy === 'quarantine' || policy === 'reject' ? policy : null;
}

function alignmentOf(entry: { result: string | false | undefined; strict: boolean }) {
  const domain = typeof entry.result === 'string' && entry.result !== '' ? entry.result : null;
  return { aligned: domain !== null, domain, mode: entry.strict ? 'strict' : 'relaxed' } as const;
}

function arcCheck(arc: ARCResult | false): ArcCheck {
  const result = arc === false ? 'none' : resultOf(arc.status);
  // mailauth gives i = 0 when there is no chain; instances start at 1 (RFC 8617 §4.2.1).
  const instance = arc !== false && typeof arc.i === 'number' && arc.i > 0 ? arc.i : null;
  if (result === 'none' || result === 'pass') {
    return {
      result,
      instance,
      severity: null,
      reason:
        result === 'none'
          ? 'The message has no ARC chain; only forwarders and mailing lists add one.'
          : `The ARC chain (${instance} set${instance === 1 ? '' : 's'}) verifies.`,
      fix: null,
    };
  }
  return {
    result,
    instance,
    severity: 'warning',
    reason: `The ARC chain does not verify (${result}${arc === false ? '' : `: ${commentOf(arc.status)}`}).`,
    fix: 'ARC headers come from forwarders; remove ARC headers your app copies from other messages.',
  };
}
