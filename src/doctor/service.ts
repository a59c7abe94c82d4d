/**
 * Names the protocol behind a port from the first bytes it sent, since people mix up the mail
 * ports (143/993 IMAP, 110/995 POP3, 80/443 HTTP).
 */
import type { Service } from './report.js';

const TLS_ALERT = 0x15;
const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR_VERSION = 0x03;

export function identifyService(bytes: Buffer): Service {
  const first = bytes[0];
  if ((first === TLS_ALERT || first === TLS_HANDSHAKE) && bytes[1] === TLS_MAJOR_VERSION) return 'tls';
  const text = bytes.toString('latin1');
  if (/^\* (?:OK|PREAUTH|BYE)\b/i.test(text)) return 'imap';
  if (/^\+OK\b/.test(text) || /^-ERR\b/.test(text)) return 'pop3';
  if (/^HTTP\/\d(?:\.\d)? \d{3}/.test(text)) return 'http';
  if (/^SSH-\d/.test(text)) return 'ssh';
  if (/^\d{3}[ -]/.test(text)) return 'smtp';
  return 'unknown';
}

export function describeService(service: Service, overTls: boolean): string {
  const wrapped = overTls ? ' inside TLS' : '';
  switch (service) {
    case 'imap':
      return `an IMAP server${wrapped} (mail reading: ${overTls ? '993' : '143'}), not SMTP`;
    case 'pop3':
      return `a POP3 server${wrapped} (mail reading: ${overTls ? '995' : '110'}), not SMTP`;
    case 'http':
      return `a web (HTTP${overTls ? 'S' : ''}) server, not SMTP`;
    case 'ssh':
      return 'an SSH server, not SMTP';
    case 'tls':
      return 'a TLS server that does not speak plaintext SMTP';
    case 'smtp':
      return 'an SMTP server';
    case 'lmtp':
      return 'an LMTP server (RFC 2033: local delivery into mailboxes), not SMTP';
    case 'unknown':
      return `something that is not SMTP${wrapped}`;
  }
}

/** First line of what the peer sent, printable. */
export function firstLine(bytes: Buffer): string {
  const line = bytes.toString('latin1').split(/\r?\n/)[0] ?? '';
  return line.replace(/[^\x20-\x7e]/g, '.').slice(0, 200);
}
