/**
 * The deliverability report of one captured message (`GET /api/v1/messages/{id}/checks`): would it
 * authenticate, and does its content have known problems. JSON field names here are public API.
 */

/** How much a problem matters: `error` will hurt delivery, `warning` may, `info` is worth knowing. */
export type Severity = 'error' | 'warning' | 'info';

/** Authentication results as RFC 8601 names them (`policy`: a DKIM key too weak to count). */
export const AUTH_RESULTS = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
  'policy',
] as const;

export type AuthResult = (typeof AUTH_RESULTS)[number];

/** What a check asks of the sender; `severity` is null when there is nothing to fix. */
export interface CheckVerdict {
  severity: Severity | null;
  /** One sentence saying what was found, with the facts a person can verify. */
  reason: string;
  /** What to change; null when there is nothing to fix. */
  fix: string | null;
}

export interface SendingIp {
  /** The IP address SPF was evaluated for. */
  address: string;
  /**
   * Where it came from: `request` (`?ip=`), `config` (`--sending-ip`), or `client` (the address
   * the message was sent to the sandbox from, usually the developer's machine).
   */
  source: 'request' | 'config' | 'client';
}

export interface SpfCheck extends CheckVerdict {
  result: AuthResult;
  /** `mailfrom`: the envelope sender's domain was checked; `helo`: the sender was empty, so the HELO name. */
  scope: 'mailfrom' | 'helo';
  /** The domain whose SPF record was evaluated; null when there was none to evaluate. */
  domain: string | null;
  /** The SPF record found, e.g. `v=spf1 ip4:203.0.113.0/24 -all`. */
  record: string | null;
}

export interface DkimSignatureCheck extends CheckVerdict {
  result: AuthResult;
  /** The signing domain (`d=`). */
  domain: string;
  /** The key selector (`s=`); the public key is at `<selector>._domainkey.<domain>`. */
  selector: string | null;
  /** The signature algorithm (`a=`), e.g. `rsa-sha256`. */
  algorithm: string | null;
  /** Header/body canonicalization (`c=`), e.g. `relaxed/relaxed`. */
  canonicalization: string | null;
  /** True when `d=` is the From domain or shares its organizational domain (DMARC relaxed alignment). */
  alignedWithFrom: boolean;
}

export interface DkimCheck extends CheckVerdict {
  /** `pass` when any signature verifies, `none` when there is no signature, else the first signature's result. */
  result: AuthResult;
  signatures: DkimSignatureCheck[];
}

export interface DmarcAlignment {
  /** True when this method passed for a domain aligned with the From domain. */
  aligned: boolean;
  /** The aligned domain that passed; null when none did. */
  domain: string | null;
  /** `relaxed` (organizational domains match) or `strict` (exact match), from `aspf=`/`adkim=`. */
  mode: 'relaxed' | 'strict';
}

export interface DmarcCheck extends CheckVerdict {
  result: AuthResult;
  /** The From header's domain, which DMARC protects; null when the From header has no single address. */
  fromDomain: string | null;
  /** The policy that applies (`p=`, or `sp=` for a subdomain); null without a DMARC record. */
  policy: 'none' | 'quarantine' | 'reject' | null;
  /** The DMARC record found, e.g. `v=DMARC1; p=reject`. */
  record: string | null;
  alignment: { spf: DmarcAlignment; dkim: DmarcAlignment };
}

export interface ArcCheck extends CheckVerdict {
  result: AuthResult;
  /** The highest ARC instance (`i=`) in the chain; null without a chain. */
  instance: number | null;
}

export interface AuthenticationChecks {
  spf: SpfCheck;
  dkim: DkimCheck;
  dmarc: DmarcCheck;
  arc: ArcCheck;
}

/** Stable ids of the content checks. */
export const CONTENT_CHECK_IDS = [
  'html-without-text',
  'html-too-large',
  'image-without-alt',
  'insecure-link',
  'insecure-image',
  'development-url',
  'link-text-mismatch',
  'script-element',
  'form-element',
  'iframe-element',
  'embedded-object',
  'missing-date',
  'missing-message-id',
  'missing-subject',
  'missing-from',
  'invalid-from',
  'duplicate-header',
  'unencoded-header',
  'from-not-aligned',
  'missing-list-unsubscribe',
  'missing-one-click-unsubscribe',
  'broken-link',
  'unreachable-link',
] as const;

export type ContentCheckId = (typeof CONTENT_CHECK_IDS)[number];

export interface ContentFinding {
  id: ContentCheckId;
  severity: Severity;
  /** What was found, in one sentence. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** The offending items (URLs, image sources, elements), at most 20. */
  evidence: string[];
}

export interface LinkRedirect {
  status: number;
  /** The `Location` it pointed to, resolved against the URL that answered. */
  location: string;
}

export interface LinkProbe {
  /**
   * `reachable`: the last answer was below 400; `broken`: 400 or above; `unreachable`: no answer
   * (DNS, connection, TLS, timeout, too many redirects); `skipped`: over the cap of probed links.
   */
  outcome: 'reachable' | 'broken' | 'unreachable' | 'skipped';
  /** The last HTTP status received; null when none was. */
  status: number | null;
  /** `HEAD`, or `GET` when the server refused HEAD (405 or 501); null when skipped. */
  method: 'HEAD' | 'GET' | null;
  /** Every redirect followed, in order. */
  redirects: LinkRedirect[];
  /** The URL that gave the last answer. */
  finalUrl: string | null;
  /** Why there was no usable answer; null otherwise. */
  error: string | null;
  elapsedMs: number;
}

export interface LinkCheck {
  /** The URL as written in the message (entities decoded). */
  url: string;
  /** The link text (for images, the `alt` text); empty for URLs in the text part. */
  text: string;
  /** The body part it was found in. */
  part: 'html' | 'text';
  /**
   * `a`, `area` or `img` in HTML; `background` for a background image (a `background` attribute or
   * a CSS `url(...)`); `text` for a URL in the plain-text part.
   */
  element: 'a' | 'area' | 'img' | 'background' | 'text';
  /** Ids of the content checks this link fails. */
  problems: ContentCheckId[];
  /** The HTTP probe (`?probeLinks=true`); null when not asked for or not an http(s) URL. */
  probe: LinkProbe | null;
}

export interface SpamRule {
  /** The SpamAssassin rule, e.g. `MISSING_DATE`. */
  name: string;
  /** The points it added (negative ones take points away), rounded to a tenth as spamd reports them. */
  score: number;
  /** spamd's description of the rule, e.g. `Missing Date: header`. */
  description: string;
}

/** SpamAssassin's verdict on the message, from spamd. */
export interface SpamCheck {
  score: number;
  /** The score from which SpamAssassin calls a message spam (`required_score`, 5.0 by default). */
  threshold: number;
  isSpam: boolean;
  /** Every rule that hit, most points first. */
  rules: SpamRule[];
}

/**
 * How the SpamAssassin scan went: `scanned`; `not-configured` (no `--spamassassin`); `too-large`
 * (over the 500 KiB spamc sends, so not sent); `connection-failed`, `timeout` or `protocol-error`
 * when spamd could not be used.
 */
export const SPAMASSASSIN_OUTCOMES = [
  'scanned',
  'not-configured',
  'too-large',
  'connection-failed',
  'timeout',
  'protocol-error',
] as const;

export type SpamAssassinOutcome = (typeof SPAMASSASSIN_OUTCOMES)[number];

export interface SpamAssassinCheck extends CheckVerdict {
  /** spamd's address (`--spamassassin`); null when not configured. */
  server: string | null;
  outcome: SpamAssassinOutcome;
}

export interface DnsFailure {
  name: string;
  type: string;
  /** The resolver's error, e.g. `no answer from 127.0.0.1:53 within 2000 ms`. */
  error: string;
}

/** One email client as caniemail names it: a platform of a family. */
export interface EmailClientPlatform {
  /** caniemail's id, `family.platform`, e.g. `outlook.windows`. */
  client: string;
  /** The platform, e.g. `windows`. */
  platform: string;
  /** Its display name, e.g. `Windows`. */
  name: string;
}

/** A family of email clients (Gmail, Outlook, Apple Mail…) with its platforms. */
export interface EmailClientFamily {
  /** caniemail's family id, e.g. `outlook`. */
  family: string;
  /** Its display name, e.g. `Outlook`. */
  name: string;
  platforms: EmailClientPlatform[];
}

export interface PlatformSupport extends EmailClientPlatform {
  /** caniemail's notes on this client's result: what works, what does not. */
  notes: string[];
}

/** The platforms of one family that share a support level for a feature. */
export interface FamilySupport {
  family: string;
  name: string;
  platforms: PlatformSupport[];
}

/** A caniemail feature the HTML uses that some checked client does not fully support. */
export interface HtmlFeatureFinding {
  /** caniemail's id of the feature, e.g. `css-display-flex`. */
  slug: string;
  /**
   * caniemail's title, e.g. `display:flex`; for a value caniemail has no feature of its own for,
   * the value as used (`display:inline-flex`), under the closest feature's `slug`.
   */
  title: string;
  /** How caniemail's data was read for such a value (which feature stands for it); null otherwise. */
  note: string | null;
  /** The caniemail page, with the test and the workarounds. */
  url: string;
  category: 'html' | 'css' | 'image';
  /** `warning` when Apple Mail, Gmail, Outlook or Yahoo has a platform without support; else `info`. */
  severity: Severity;
  /** This feature's support over the checked clients, 0–100 (see `HtmlCompatibility.score`). */
  support: number;
  /** Clients whose latest caniemail test found no support, by family. */
  unsupported: FamilySupport[];
  /** Clients whose latest test found partial support, with caniemail's notes, by family. */
  partial: FamilySupport[];
  /** How many times the message uses it. */
  occurrences: number;
  /** Where: excerpts of the markup or CSS, such as `<div style="display: flex">` (at most 5 distinct). */
  where: string[];
  /** What to change, or how to make sure the message degrades well. */
  fix: string;
}

/**
 * The HTML body checked against caniemail.com's support tables: which features it uses that
 * some clients do not support, and an overall score.
 */
export interface HtmlCompatibility {
  /**
   * 0–100: the mean, over the features used, of each feature's support, itself the mean over
   * client families (each weighted equally) of the mean over the family's platforms of 1 for
   * full support, 0.5 for partial, 0 for none; unknown results are left out.
   */
  score: number;
  /** How many caniemail features the HTML uses (those in `features` and the fully supported ones). */
  featuresUsed: number;
  /** The clients checked (all of caniemail's, or those of `?clients=`), by family. */
  clients: EmailClientFamily[];
  /** Every client caniemail has data for, by family, whatever `?clients=` chose: what there is to choose from. */
  allClients: EmailClientFamily[];
  /** Features some checked client does not fully support, warnings first, least supported first. */
  features: HtmlFeatureFinding[];
  /** Findings by severity; not part of the report's `summary`, which is about delivery. */
  summary: { warnings: number; infos: number };
  /** The caniemail data: the npm package it comes from and the date of its last update. */
  data: { package: string; updated: string };
  /** Bytes of the HTML body read; below `htmlBytes` when the body is over the 1 MiB that is checked. */
  checkedBytes: number;
  htmlBytes: number;
}

export interface DeliverabilityReport {
  messageId: string;
  checkedAt: string;
  sendingIp: SendingIp;
  dns: {
    /** The DNS server asked (`--dns-server`); null for the system resolver. Answers are live, not cached. */
    server: string | null;
    /** Lookups that failed with something other than "no such record"; their checks report `temperror`. */
    failures: DnsFailure[];
  };
  authentication: AuthenticationChecks;
  content: ContentFinding[];
  links: LinkCheck[];
  /** SpamAssassin's score and the rules that hit; null when the message was not scanned (`spamAssassin` says why). */
  spam: SpamCheck | null;
  /** Whether and how SpamAssassin scanned the message; an `error` when it calls the message spam. */
  spamAssassin: SpamAssassinCheck;
  /** The HTML body against caniemail.com's client support data; null when the message has no HTML part. */
  htmlCompatibility: HtmlCompatibility | null;
  summary: {
    /** Problems of severity `error`, in authentication, content and the spam check together. */
    errors: number;
    warnings: number;
    infos: number;
    /** True when there is no error. */
    passed: boolean;
  };
}
