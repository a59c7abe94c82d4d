/**
 * Settings for a Postfix that relays its mail through an SMTP server (`relayhost`), shared by the
 * doctor's settings and the web UI's setup page. They are `postconf -e` edits, since main.cf
 * allows no comment after a value, and a `sasl_passwd` map only root can read.
 */

export interface PostfixRelay {
  /** What Postfix dials: it looks relays up in DNS, where `localhost` often is not. */
  dial: string;
  port: number;
  implicit: boolean;
  /**
   * The name to match in the server certificate when it is not `dial`; null when there is no name
   * to match (a relay known by address only: Postfix checks names, never addresses).
   */
  certName: string | null;
  caFile: string;
  /** The AUTH login; a null password is read from `$SMTP_PASS`. Null when the relay needs no AUTH. */
  login: { user: string; password: string | null } | null;
}

/** The CA bundle of Debian, Ubuntu and Alpine. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** A POSIX shell word. */
const shellWord = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function postfixRelaySettings(relay: PostfixRelay): string {
  const { dial, port, implicit, certName, caFile, login } = relay;
  const address = dial.replace(/^\[(.*)\]$/, '$1');
  // Postfix writes an IPv6 literal as [ipv6:...] (RFC 5321 section 4.1.3).
  const nexthop = `[${address.includes(':') ? `ipv6:${address}` : address}]:${port}`;
  const settings = [
    `relayhost = ${nexthop}`,
    `smtp_tls_security_level = ${certName === null ? 'encrypt' : 'secure'}`,
    ...(certName === null || certName === address ? [] : [`smtp_tls_secure_cert_match = ${certName}`]),
    ...(implicit ? ['smtp_tls_wrappermode = yes'] : []),
    `smtp_tls_CAfile = ${caFile}`,
    ...(login
      ? [
          'smtp_sasl_auth_enable = yes',
          'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd',
          // PLAIN and LOGIN are "plaintext" mechanisms to Cyrus SASL; TLS protects them here.
          'smtp_sasl_security_options = noanonymous',
          'smtp_sasl_tls_security_options = noanonymous',
        ]
      : []),
  ];
  const entry =
    login?.password === null
      ? `"${nexthop} ${login.user}:$SMTP_PASS"`
      : shellWord(`${nexthop} ${login?.user}:${login?.password}`);
  return [
    `# as root: relay this host's mail through ${certName ?? address}:${port} (${implicit ? 'implicit TLS, Postfix 3.0+' : 'STARTTLS'})`,
    ...(certName === null
      ? [
          '# Postfix verifies certificates by name only: relay to a name the certificate holds (mailport doctor --servername NAME) to verify it',
        ]
      : []),
    ...(caFile === SYSTEM_CA_BUNDLE
      ? ['# RHEL/Fedora: smtp_tls_CAfile = /etc/pki/tls/certs/ca-bundle.crt']
      : []),
    `postconf -e ${settings.map(shellWord).join(' \\\n  ')}`,
    ...(login
      ? [
          `(umask 077 && printf '%s\\n' ${entry} > /etc/postfix/sasl_passwd && postmap /etc/postfix/sasl_passwd)`,
        ]
      : []),
    'postfix reload',
  ].join('\n');
}
