import type { ProtocolLimits } from '../protocol/types.js';

/** Protocol limits from RFC 5321 §4.5.3.1 and RFC 4954 §4; size and recipients are overridden from flags. */
export const DEFAULT_PROTOCOL_LIMITS: ProtocolLimits = {
  maxMessageSize: 25 * 1024 * 1024,
  maxRecipients: 100,
  // §4.5.3.1.4 sets 512 octets for command lines; AUTH initial responses may reach 12288 (RFC 4954 §4),
  // and the engine applies that larger bound to AUTH lines only.
  maxCommandLineLength: 512,
  // §4.5.3.1.6: a text line is at most 1000 octets including CRLF.
  maxDataLineLength: 1000,
  maxBadCommands: 10,
  maxAuthFailures: 3,
};
