/** Plain-language descriptions of a listener's TLS mode and AUTH rule, shared by the sidebar and Setup. */
import type { ListenerInfo } from '../api/types.js';

export function tlsShort(tls: ListenerInfo['tls']): string {
  return { none: 'plain', starttls: 'STARTTLS opt.', 'starttls-required': 'STARTTLS', implicit: 'TLS' }[tls];
}

export function tlsLong(tls: ListenerInfo['tls']): string {
  return {
    none: 'Plaintext only',
    starttls: 'Plaintext, STARTTLS offered (optional)',
    'starttls-required': 'STARTTLS required before AUTH and MAIL',
    implicit: 'Implicit TLS from the first byte',
  }[tls];
}

export function authLong(auth: ListenerInfo['auth']): string {
  return { off: 'No AUTH', optional: 'AUTH optional (after TLS)', required: 'AUTH required before MAIL' }[
    auth
  ];
}
