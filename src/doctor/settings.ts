/**
 * Ready-to-paste client settings for the recommended port, for the clients people actually use.
 * Secrets are never inlined: every snippet reads SMTP_PASS from the environment, or SMTP_TOKEN
 * when the doctor logged in with an OAuth 2.0 access token, which each client then sends with its
 * own XOAUTH2 support, or a comment says what it lacks. The snippets
 * dial the host the doctor probed; a --servername the certificate was checked for goes into the
 * client's TLS options, or, for a client that checks only the name it dials, into a comment.
 */
import { isIP } from 'node:net';
import { postfixRelaySettings, SYSTEM_CA_BUNDLE } from './postfix-relay.js';
import type { Recommendation } from './report.js';

export interface SettingsInput {
  /** The host the doctor probed: what clients dial. */
  host: string;
  /** The name the certificate was checked for (--servername) when it is not `host`; else null. */
  servername: string | null;
  recommendation: Recommendation;
  user: string | null;
  /** How the doctor logged in: the snippets log in the same way. */
  login: 'password' | 'oauth-token';
  caFile: string | null;
}

export const SETTINGS_CLIENTS = [
  'nodemailer',
  'python-smtplib',
  'phpmailer',
  'laravel',
  'django',
  'rails',
  'spring-boot',
  'swoosh',
  'dotnet-mailkit',
  'curl',
  'swaks',
  'postfix',
] as const;

export function clientSettings(input: SettingsInput): Record<(typeof SETTINGS_CLIENTS)[number], string> {
  const { host, caFile } = input;
  const servername = input.servername === host ? null : input.servername;
  const { port, tls } = input.recommendation;
  const implicit = tls === 'implicit';
  const user = input.user ?? 'you@example.com';
  const from = user.includes('@') ? user : 'you@example.com';
  const oauth = input.login === 'oauth-token';
  // Clients that try every mechanism with the password: the token is refused by LOGIN and PLAIN first.
  const triesEveryMechanism = (comment: string, client: string): string[] =>
    oauth
      ? [
          `${comment} ${client} logs in with the token as the password: it tries LOGIN and PLAIN with it (each refused) before XOAUTH2`,
        ]
      : [];
  // For clients that check the certificate against the name they dial, and nothing else.
  const dialName = (comment: string): string[] =>
    servername === null
      ? []
      : [
          `${comment} the certificate is for ${servername}, not ${host}: this client checks the name it dials, so dial ${servername} where it resolves to ${host} (e.g. an /etc/hosts line)`,
        ];
  const nodemailerTls = [
    ...(caFile ? [`ca: readFileSync('${caFile}')`] : []),
    ...(servername ? [`servername: '${servername}'`] : []),
  ];
  const phpSsl = [
    ...(caFile ? [`'cafile' => '${caFile}'`] : []),
    ...(servername ? [`'peer_name' => '${servername}'`] : []),
  ];
  // curl checks the name in the URL: it names the server, and --connect-to dials the host probed.
  const curlHost = servername ?? host;
  return {
    nodemailer: [
      "import nodemailer from 'nodemailer';",
      ...(caFile ? ["import { readFileSync } from 'node:fs';"] : []),
      'const transport = nodemailer.createTransport({',
      `  host: '${host}',`,
      `  port: ${port},`,
      implicit
        ? '  secure: true, // implicit TLS from the first byte'
        : '  secure: false, // plaintext greeting, then STARTTLS',
      ...(implicit ? [] : ['  requireTLS: true, // refuse to continue without STARTTLS']),
      ...(oauth
        ? [
            `  auth: { type: 'OAuth2', user: '${user}', accessToken: process.env.SMTP_TOKEN },`,
            '  // or clientId, clientSecret, refreshToken (and accessUrl) in auth, and nodemailer renews the token',
          ]
        : [`  auth: { user: '${user}', pass: process.env.SMTP_PASS },`]),
      ...(nodemailerTls.length > 0 ? [`  tls: { ${nodemailerTls.join(', ')} },`] : []),
      '});',
    ].join('\n'),
    'python-smtplib': [
      ...dialName('#'),
      'import os, smtplib, ssl',
      `context = ssl.create_default_context(${caFile ? `cafile='${caFile}'` : ''})`,
      implicit
        ? `with smtplib.SMTP_SSL('${host}', ${port}, context=context) as smtp:`
        : `with smtplib.SMTP('${host}', ${port}) as smtp:\n    smtp.starttls(context=context)`,
      ...(oauth
        ? [
            "    token = os.environ['SMTP_TOKEN']",
            '    smtp.ehlo()  # auth(), unlike login(), sends no EHLO first, and takes the 503 it gets for success',
            `    smtp.auth('XOAUTH2', lambda challenge=None: f'user=${user}\\x01auth=Bearer {token}\\x01\\x01')`,
          ]
        : [`    smtp.login('${user}', os.environ['SMTP_PASS'])`]),
      '    smtp.send_message(message)',
    ].join('\n'),
    phpmailer: [
      '$mail->isSMTP();',
      `$mail->Host = '${host}';`,
      `$mail->Port = ${port};`,
      `$mail->SMTPSecure = PHPMailer::${implicit ? 'ENCRYPTION_SMTPS' : 'ENCRYPTION_STARTTLS'};`,
      '$mail->SMTPAuth = true;',
      ...(oauth
        ? [
            "$mail->AuthType = 'XOAUTH2';",
            '$mail->setOAuth(new class implements \\PHPMailer\\PHPMailer\\OAuthTokenProvider {',
            '    public function getOauth64(): string {',
            `        return base64_encode("user=${user}\\1auth=Bearer " . getenv('SMTP_TOKEN') . "\\1\\1");`,
            '    }',
            '});',
          ]
        : [`$mail->Username = '${user}';`, "$mail->Password = getenv('SMTP_PASS');"]),
      ...(phpSsl.length > 0 ? [`$mail->SMTPOptions = ['ssl' => [${phpSsl.join(', ')}]];`] : []),
    ].join('\n'),
    laravel: [
      '# .env',
      ...dialName('#'),
      'MAIL_MAILER=smtp',
      `MAIL_HOST=${host}`,
      `MAIL_PORT=${port}`,
      `MAIL_USERNAME=${user}`,
      ...triesEveryMechanism('#', "Laravel's Symfony Mailer"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference, expanded by Laravel's .env loader.
      oauth ? 'MAIL_PASSWORD="${SMTP_TOKEN}"' : 'MAIL_PASSWORD="${SMTP_PASS}"',
      `MAIL_SCHEME=${implicit ? 'smtps' : 'smtp'}   # Laravel 11+; older versions: MAIL_ENCRYPTION=${implicit ? 'ssl' : 'tls'}`,
      ...(caFile ? [`# trust the CA: openssl.cafile=${caFile} in php.ini`] : []),
    ].join('\n'),
    django: [
      '# settings.py',
      ...dialName('#'),
      `EMAIL_HOST = '${host}'`,
      `EMAIL_PORT = ${port}`,
      implicit ? 'EMAIL_USE_SSL = True  # implicit TLS' : 'EMAIL_USE_TLS = True  # STARTTLS',
      `EMAIL_HOST_USER = '${user}'`,
      ...(oauth
        ? [
            "# Django's SMTP backend logs in with a password only: for the token, subclass",
            '# django.core.mail.backends.smtp.EmailBackend and, in open(), after super().open(), call',
            "# self.connection.auth('XOAUTH2', ...) as in the Python smtplib settings",
          ]
        : ["EMAIL_HOST_PASSWORD = os.environ['SMTP_PASS']"]),
      ...(caFile ? [`# trust the CA: run with SSL_CERT_FILE=${caFile} in the environment`] : []),
    ].join('\n'),
    rails: [
      '# config/environments/production.rb',
      ...dialName('#'),
      'config.action_mailer.delivery_method = :smtp',
      'config.action_mailer.smtp_settings = {',
      `  address: '${host}',`,
      `  port: ${port},`,
      `  user_name: '${user}',`,
      ...(oauth
        ? ["  password: ENV['SMTP_TOKEN'],", '  authentication: :xoauth2, # needs the net-smtp-xoauth2 gem']
        : ["  password: ENV['SMTP_PASS'],", '  authentication: :plain,']),
      ...(caFile ? [`  ca_file: '${caFile}',`] : []),
      implicit ? '  tls: true # implicit TLS' : '  enable_starttls: true',
      '}',
    ].join('\n'),
    'spring-boot': [
      '# application.properties',
      ...dialName('#'),
      `spring.mail.host=${host}`,
      `spring.mail.port=${port}`,
      `spring.mail.username=${user}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder, resolved by Spring from the environment.
      oauth ? 'spring.mail.password=${SMTP_TOKEN}' : 'spring.mail.password=${SMTP_PASS}',
      'spring.mail.properties.mail.smtp.auth=true',
      ...(oauth ? ['spring.mail.properties.mail.smtp.auth.mechanisms=XOAUTH2'] : []),
      ...(implicit
        ? ['spring.mail.properties.mail.smtp.ssl.enable=true']
        : [
            'spring.mail.properties.mail.smtp.starttls.enable=true',
            'spring.mail.properties.mail.smtp.starttls.required=true',
          ]),
      ...(caFile
        ? [
            `# trust the CA: keytool -importcert -noprompt -alias smtp-ca -file ${caFile} -keystore smtp-ca.p12 -storepass changeit`,
            '# then start the JVM with -Djavax.net.ssl.trustStore=smtp-ca.p12 -Djavax.net.ssl.trustStorePassword=changeit',
          ]
        : []),
    ].join('\n'),
    // Swoosh hands these to gen_smtp. Charlists by String.to_charlist/1, which every Elixir
    // version reads (~c"…" needs 1.15). gen_smtp's own TLS defaults verify nothing before OTP 26
    // and stop at TLS 1.2, and its depth 0 refuses intermediate CAs: hence every option here.
    swoosh: [
      '# config/runtime.exs',
      'import Config',
      '',
      'config :my_app, MyApp.Mailer,',
      '  adapter: Swoosh.Adapters.SMTP,',
      `  relay: "${host}",`,
      `  port: ${port},`,
      implicit ? '  ssl: true, # implicit TLS from the first byte' : '  ssl: false,',
      implicit ? '  tls: :never,' : '  tls: :always, # plaintext greeting, then STARTTLS (required)',
      '  auth: :always,',
      `  username: "${user}",`,
      ...triesEveryMechanism('  #', 'gen_smtp'),
      oauth ? '  password: System.get_env("SMTP_TOKEN"),' : '  password: System.get_env("SMTP_PASS"),',
      '  no_mx_lookups: true,',
      '  tls_options: [',
      '    verify: :verify_peer,',
      caFile ? `    cacertfile: String.to_charlist("${caFile}"),` : '    cacerts: :public_key.cacerts_get(),',
      `    server_name_indication: String.to_charlist("${servername ?? host}"),`,
      '    customize_hostname_check: [match_fun: :public_key.pkix_verify_hostname_match_fun(:https)],',
      '    depth: 99,',
      '    versions: [:"tlsv1.3", :"tlsv1.2"]',
      '  ]',
    ].join('\n'),
    'dotnet-mailkit': [
      ...dialName('//'),
      'using var client = new MailKit.Net.Smtp.SmtpClient();',
      `await client.ConnectAsync("${host}", ${port}, MailKit.Security.SecureSocketOptions.${implicit ? 'SslOnConnect' : 'StartTls'});`,
      oauth
        ? `await client.AuthenticateAsync(new MailKit.Security.SaslMechanismOAuth2("${user}", Environment.GetEnvironmentVariable("SMTP_TOKEN")));`
        : `await client.AuthenticateAsync("${user}", Environment.GetEnvironmentVariable("SMTP_PASS"));`,
      'await client.SendAsync(message);',
      'await client.DisconnectAsync(true);',
      ...(caFile
        ? [`// trust the CA: add ${caFile} to the system store (Linux: update-ca-certificates)`]
        : []),
    ].join('\n'),
    curl: [
      `curl --url '${implicit ? 'smtps' : 'smtp'}://${curlHost}:${port}'${servername ? ` --connect-to ${servername}:${port}:${host}:${port}` : ''}${implicit ? '' : ' --ssl-reqd'}${caFile ? ` --cacert ${caFile}` : ''} \\`,
      oauth
        ? `  --user '${user}' --oauth2-bearer "$SMTP_TOKEN" --mail-from '${from}' --mail-rcpt 'to@example.com' \\`
        : `  --user "${user}:$SMTP_PASS" --mail-from '${from}' --mail-rcpt 'to@example.com' \\`,
      '  --upload-file message.eml',
    ].join('\n'),
    swaks: oauth
      ? [
          '# swaks sends no OAuth token; mailport send does, with the same checks',
          `mailport send --server ${isIP(host) === 6 ? `[${host}]` : host}:${port} --tls ${implicit ? 'implicit' : 'starttls'}${servername ? ` --servername ${servername}` : ''}${caFile ? ` --ca ${caFile}` : ''} \\`,
          `  --user '${user}' --oauth-token-env SMTP_TOKEN --from '${from}' --to to@example.com`,
        ].join('\n')
      : [
          `swaks --server ${host} --port ${port} ${implicit ? '--tls-on-connect' : '--tls'}${servername ? ` --tls-sni ${servername}` : ''}${caFile ? ` --tls-ca-path ${caFile} --tls-verify` : ''} \\`,
          `  --auth PLAIN --auth-user '${user}' --auth-password "$SMTP_PASS" --from '${from}' --to to@example.com`,
        ].join('\n'),
    postfix: `${
      oauth
        ? "# Postfix's SASL client has no XOAUTH2 without a plugin: with sasl-xoauth2, which also renews the token,\n# add smtp_sasl_mechanism_filter = xoauth2, and $SMTP_PASS below is the path of its token file\n"
        : ''
    }${postfixRelaySettings({
      // Postfix looks the relay up in DNS, where `localhost` often is not.
      dial: host === 'localhost' ? '127.0.0.1' : host,
      port,
      implicit,
      certName: isIP(servername ?? host) ? null : (servername ?? host),
      caFile: caFile ?? SYSTEM_CA_BUNDLE,
      login: { user, password: null },
    })}`,
  };
}
