/**
 * Assembles the deliverability report of a stored message: authentication (live DNS), content
 * checks, links (probed over HTTP only when asked), SpamAssassin's score when spamd is configured
 * and the HTML's email-client compatibility. Computed on request, never stored.
 */
import { simpleParser } from 'mailparser';
import type { MessageDetail } from '../domain/types.js';
import { eightBitHeaderFields } from '../mime/message-facts.js';
import { checkAuthentication } from './authentication.js';
import { selectClients } from './caniemail.js';
import { contentFindings } from './content.js';
import { boundedDns } from './dns.js';
import { checkHtmlCompatibility } from './html-compatibility.js';
import { type HtmlScan, scanHtml } from './html-scan.js';
import { probeLinks } from './link-probe.js';
import { collectLinks } from './links.js';
import type { DeliverabilitySettings } from './settings.js';
import { checkSpam } from './spamassassin.js';
import type { DeliverabilityReport, SendingIp } from './types.js';

// The route loads this module lazily and maps this error to a 400.
export { UnknownEmailClientError } from './caniemail.js';

export interface CheckRequest {
  /** `?ip=`: the sending IP for this report, over the server's setting. */
  ip?: string | undefined;
  /** `?probeLinks=true`: request every http(s) link. */
  probeLinks?: boolean;
  /**
   * `?clients=`: the email clients to check the HTML against (`gmail.*`, `outlook.windows`);
   * all of caniemail's when empty. A pattern that matches none throws UnknownEmailClientError.
   */
  clients?: readonly string[];
}

export async function checkDeliverability(
  message: MessageDetail,
  raw: Buffer,
  settings: DeliverabilitySettings,
  request: CheckRequest = {},
): Promise<DeliverabilityReport> {
  const sendingIp = chooseSendingIp(message, settings, request);
  const clients = selectClients(request.clients);
  const dns = boundedDns(settings.dns);
  try {
    const { html, text } = await ownParts(message, raw);
    const scan: HtmlScan | null = html === null ? null : scanHtml(html);
    const links = collectLinks(scan, text);
    const [authentication, { spam, spamAssassin }] = await Promise.all([
      checkAuthentication({
        raw,
        envelopeFrom: message.envelope.mailFrom.address,
        heloName: message.heloName,
        sendingIp,
        lookup: dns.lookup,
      }),
      checkSpam(raw, settings.spamAssassin),
      request.probeLinks ? probeLinks(links, settings.probe) : Promise.resolve(),
    ]);
    const content = contentFindings(
      {
        headers: message.parsed.headers,
        from: message.parsed.from.map((address) => address.address),
        envelopeFrom: message.envelope.mailFrom.address,
        html,
        text,
        eightBitHeaders: eightBitHeaderFields(raw),
        smtpUtf8: message.envelope.mailFrom.params.SMTPUTF8 === true,
      },
      scan,
      links,
      {
        alignedDkimPassed: authentication.dkim.signatures.some(
          (signature) => signature.result === 'pass' && signature.alignedWithFrom,
        ),
      },
    );
    const { spf, dkim, dmarc, arc } = authentication;
    const severities = [spf, dkim, dmarc, arc, ...content, spamAssassin].map((check) => check.severity);
    const errors = severities.filter((severity) => severity === 'error').length;
    return {
      messageId: message.id,
      checkedAt: new Date().toISOString(),
      sendingIp,
      dns: { server: settings.dns.server, failures: dns.failures },
      authentication,
      content,
      links,
      spam,
      spamAssassin,
      // Rendering is not delivery: its findings stay out of `summary`, so the verdict does not move.
      htmlCompatibility: html === null ? null : checkHtmlCompatibility(html, clients),
      summary: {
        errors,
        warnings: severities.filter((severity) => severity === 'warning').length,
        infos: severities.filter((severity) => severity === 'info').length,
        passed: errors === 0,
      },
    };
  } finally {
    dns.close();
  }
}

/**
 * The message's own parts: the stored parse derives text from HTML when there is no text part. A
 * message mailparser refuses (more MIME parts or a larger header than it allows) is judged on what
 * the stored parse fell back to, as the message view shows it.
 */
async function ownParts(
  message: MessageDetail,
  raw: Buffer,
): Promise<{ html: string | null; text: string | null }> {
  try {
    const mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      keepCidLinks: true,
    });
    return { html: typeof mail.html === 'string' ? mail.html : null, text: mail.text ?? null };
  } catch {
    return { html: message.parsed.html, text: message.parsed.text };
  }
}

function chooseSendingIp(
  message: MessageDetail,
  settings: DeliverabilitySettings,
  request: CheckRequest,
): SendingIp {
  if (request.ip !== undefined) return { address: request.ip, source: 'request' };
  if (settings.sendingIp !== null) return { address: settings.sendingIp, source: 'config' };
  return { address: message.client.address, source: 'client' };
}
