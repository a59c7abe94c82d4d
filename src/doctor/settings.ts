/**
 * Ready-to-paste client settings for the recommended port, for the clients people actually use.
 * Passwords are never inlined: every snippet reads SMTP_PASS from the environment. The snippets
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
      `  auth: { user: '${user}', pass: process.env.SMTP_PASS },`,
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
      `    smtp.login('${user}', os.environ['SMTP_PASS'])`,
      '    smtp.send_message(message)',
    ].join('\n'),
    phpmailer: [
      '$mail->isSMTP();',
      `$mail->Host = '${host}';`,
      `$mail->Port = ${port};`,
      `$mail->SMTPSecure = PHPMailer::${implicit ? 'ENCRYPTION_SMTPS' : 'ENCRYPTION_STARTTLS'};`,
      '$mail->SMTPAuth = true;',
      `$mail->Username = '${user}';`,
      "$mail->Password = getenv('SMTP_PASS');",
      ...(phpSsl.length > 0 ? [`$mail->SMTPOptions = ['ssl' => [${phpSsl.join(', ')}]];`] : []),
    ].join('\n'),
    laravel: [
      '# .env',
      ...dialName('#'),
      'MAIL_MAILER=smtp',
      `MAIL_HOST=${host}`,
      `MAIL_PORT=${port}`,
      `MAIL_USERNAME=${user}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference, expanded by Laravel's .env loader.
      'MAIL_PASSWORD="${SMTP_PASS}"',
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
      "EMAIL_HOST_PASSWORD = os.environ['SMTP_PASS']",
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
      "  password: ENV['SMTP_PASS'],",
      '  authentication: :plain,',
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
      'spring.mail.password=${SMTP_PASS}',
      'spring.mail.properties.mail.smtp.auth=true',
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
      '  password: System.get_env("SMTP_PASS"),',
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
      `await client.AuthenticateAsync("${user}", Environment.GetEnvironmentVariable("SMTP_PASS"));`,
      'await client.SendAsync(message);',
      'await client.DisconnectAsync(true);',
      ...(caFile
        ? [`// trust the CA: add ${caFile} to the system store (Linux: update-ca-certificates)`]
        : []),
    ].join('\n'),
    curl: [
      `curl --url '${implicit ? 'smtps' : 'smtp'}://${curlHost}:${port}'${servername ? ` --connect-to ${servername}:${port}:${host}:${port}` : ''}${implicit ? '' : ' --ssl-reqd'}${caFile ? ` --cacert ${caFile}` : ''} \\`,
      `  --user "${user}:$SMTP_PASS" --mail-from '${from}' --mail-rcpt 'to@example.com' \\`,
      '  --upload-file message.eml',
    ].join('\n'),
    swaks: [
      `swaks --server ${host} --port ${port} ${implicit ? '--tls-on-connect' : '--tls'}${servername ? ` --tls-sni ${servername}` : ''}${caFile ? ` --tls-ca-path ${caFile} --tls-verify` : ''} \\`,
      `  --auth PLAIN --auth-user '${user}' --auth-password "$SMTP_PASS" --from '${from}' --to to@example.com`,
    ].join('\n'),
    postfix: postfixRelaySettings({
      // Postfix looks the relay up in DNS, where `localhost` often is not.
      dial: host === 'localhost' ? '127.0.0.1' : host,
      port,
      implicit,
      certName: isIP(servername ?? host) ? null : (servername ?? host),
      caFile: caFile ?? SYSTEM_CA_BUNDLE,
      login: { user, password: null },
    }),
  };
}
