/**
 * Copy-paste client settings for common senders, filled in with this server's real host, port,
 * TLS mode, credentials and CA path (all from /api/v1/info). Each snippet follows the TLS model of
 * the chosen listener: implicit TLS (RFC 8314) or STARTTLS (RFC 3207), or plain relay.
 */
import { postfixRelaySettings } from '../../../src/doctor/postfix-relay.js';
import type { ListenerInfo, ServerInfo } from '../api/types.js';

export type ClientName =
  | 'nodemailer'
  | 'nodemailer-oauth2'
  | 'python'
  | 'phpmailer'
  | 'laravel'
  | 'django'
  | 'rails'
  | 'spring'
  | 'swoosh'
  | 'dotnet'
  | 'curl'
  | 'swaks'
  | 'postfix';

export const CLIENTS: ReadonlyArray<{ key: ClientName; label: string }> = [
  { key: 'nodemailer', label: 'Node.js · nodemailer' },
  { key: 'nodemailer-oauth2', label: 'nodemailer · OAuth2' },
  { key: 'python', label: 'Python · smtplib' },
  { key: 'phpmailer', label: 'PHPMailer' },
  { key: 'laravel', label: 'Laravel .env' },
  { key: 'django', label: 'Django' },
  { key: 'rails', label: 'Rails' },
  { key: 'spring', label: 'Spring Boot' },
  { key: 'swoosh', label: 'Elixir · Swoosh' },
  { key: 'dotnet', label: '.NET · MailKit' },
  { key: 'curl', label: 'curl' },
  { key: 'swaks', label: 'swaks' },
  { key: 'postfix', label: 'Postfix relayhost' },
];

/** Shown instead of a password the API does not reveal (configured `--auth` users). */
export const PASSWORD_PLACEHOLDER = '<your password>';

export interface Credentials {
  user: string;
  pass: string;
}

export function credentialsFor(info: ServerInfo): Credentials {
  if (info.auth.defaultCredentials !== null) return info.auth.defaultCredentials;
  if (info.auth.mode === 'any') return { user: info.auth.users[0] ?? 'my-app', pass: 'any-password' };
  return { user: info.auth.users[0] ?? '<your user>', pass: PASSWORD_PLACEHOLDER };
}

/** A wildcard bind address is not something a client can connect to; use the host the UI came from. */
export function connectHost(listener: ListenerInfo): string {
  return listener.host === '0.0.0.0' || listener.host === '::' ? location.hostname : listener.host;
}

interface Context {
  host: string;
  port: number;
  implicit: boolean;
  starttls: boolean;
  auth: boolean;
  user: string;
  pass: string;
  ca: string;
  /** The name in the server certificate. */
  certName: string;
}

function context(info: ServerInfo, listener: ListenerInfo): Context {
  const credentials = credentialsFor(info);
  return {
    host: connectHost(listener),
    port: listener.port,
    implicit: listener.tls === 'implicit',
    starttls: listener.tls === 'starttls-required',
    auth: listener.auth === 'required',
    user: credentials.user,
    pass: credentials.pass,
    ca: info.tls.caPath,
    certName: info.hostname,
  };
}

/** A double-quoted literal (Python, C#; JSON escaping is valid in both). */
const q = (value: string) => JSON.stringify(value);
/** A single-quoted literal where `$` or `#{}` must not interpolate (JavaScript, PHP, Ruby). */
const sq = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** An Elixir double-quoted string, where `#{` would interpolate. */
const ex = (value: string) => q(value).replace(/#\{/g, '\\#{');
/** A POSIX shell word. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * nodemailer with a password, or with OAuth 2.0 (AUTH XOAUTH2, as Gmail and Microsoft 365 take it):
 * nodemailer then fetches its access token from the sandbox's token endpoint, on this page's own
 * origin, with the password as the refresh token, and renews it as it would against a provider.
 */
function nodemailerSnippet(c: Context, oauth: boolean): string {
  const auth = !c.auth
    ? oauth
      ? '\n  // This port takes no login: OAuth2 is for the submission ports.'
      : ''
    : oauth
      ? `
  // The sandbox's token endpoint stands in for your provider's token URL (Google's, Microsoft's):
  // nodemailer fetches an access token with the refresh token and renews it when it runs out.
  auth: {
    type: 'OAuth2',
    user: ${sq(c.user)},
    clientId: 'my-app',
    clientSecret: 'my-app-secret',
    refreshToken: ${sq(c.pass)}, // here the login's password; in production the provider's refresh token
    accessUrl: ${sq(`${location.origin}/oauth2/token`)},
  },`
      : `\n  auth: { user: ${sq(c.user)}, pass: ${sq(c.pass)} },`;
  return `import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({
  host: ${sq(c.host)},
  port: ${c.port},
  secure: ${c.implicit}, // ${c.implicit ? 'implicit TLS from the first byte' : 'plaintext greeting'}${c.starttls ? ', then STARTTLS' : ''}${
    c.starttls ? '\n  requireTLS: true,' : ''
  }${auth}
  tls: { ca: readFileSync(${sq(c.ca)}) },
});

await transport.sendMail({
  from: 'App <app@example.com>',
  to: 'you@example.com',
  subject: 'Hello from Mailport',
  text: 'It works.',
});`;
}

const BUILDERS: Record<ClientName, (c: Context) => string> = {
  nodemailer: (c) => nodemailerSnippet(c, false),
  'nodemailer-oauth2': (c) => nodemailerSnippet(c, true),

  python: (c) => `import smtplib
import ssl
from email.message import EmailMessage

context = ssl.create_default_context(cafile=${q(c.ca)})
msg = EmailMessage()
msg["From"] = "App <app@example.com>"
msg["To"] = "you@example.com"
msg["Subject"] = "Hello from Mailport"
msg.set_content("It works.")

${
  c.implicit
    ? `with smtplib.SMTP_SSL(${q(c.host)}, ${c.port}, context=context) as smtp:`
    : `with smtplib.SMTP(${q(c.host)}, ${c.port}) as smtp:`
}${c.starttls || (!c.implicit && c.auth) ? '\n    smtp.starttls(context=context)' : ''}${
  c.auth ? `\n    smtp.login(${q(c.user)}, ${q(c.pass)})` : ''
}
    smtp.send_message(msg)`,

  phpmailer: (c) => `use PHPMailer\\PHPMailer\\PHPMailer;

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = ${sq(c.host)};
$mail->Port = ${c.port};
${
  c.implicit
    ? '$mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS; // implicit TLS'
    : c.starttls
      ? '$mail->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;'
      : "$mail->SMTPSecure = ''; // relay: plaintext, STARTTLS optional"
}
$mail->SMTPAuth = ${c.auth};${c.auth ? `\n$mail->Username = ${sq(c.user)};\n$mail->Password = ${sq(c.pass)};` : ''}
$mail->SMTPOptions = ['ssl' => ['cafile' => ${sq(c.ca)}]];

$mail->setFrom('app@example.com', 'App');
$mail->addAddress('you@example.com');
$mail->Subject = 'Hello from Mailport';
$mail->Body = 'It works.';
$mail->send();`,

  laravel: (c) => `MAIL_MAILER=smtp
MAIL_HOST=${c.host}
MAIL_PORT=${c.port}
# Laravel 11+: smtps = implicit TLS; smtp upgrades with STARTTLS when offered
MAIL_SCHEME=${c.implicit ? 'smtps' : 'smtp'}
# Laravel 10 and older use MAIL_ENCRYPTION instead
MAIL_ENCRYPTION=${c.implicit ? 'ssl' : c.starttls ? 'tls' : 'null'}
MAIL_USERNAME=${c.auth ? c.user : 'null'}
MAIL_PASSWORD=${c.auth ? c.pass : 'null'}
MAIL_FROM_ADDRESS=app@example.com
MAIL_FROM_NAME="\${APP_NAME}"
# Trust the Mailport CA: openssl.cafile=${c.ca} in php.ini`,

  django: (c) => `# settings.py
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = ${q(c.host)}
EMAIL_PORT = ${c.port}
EMAIL_USE_SSL = ${c.implicit ? 'True' : 'False'}  # implicit TLS
EMAIL_USE_TLS = ${c.starttls ? 'True' : 'False'}  # STARTTLS
EMAIL_HOST_USER = ${q(c.auth ? c.user : '')}
EMAIL_HOST_PASSWORD = ${q(c.auth ? c.pass : '')}
DEFAULT_FROM_EMAIL = "app@example.com"
# Trust the Mailport CA: run with SSL_CERT_FILE=${c.ca}`,

  rails: (c) => `# config/environments/development.rb
config.action_mailer.delivery_method = :smtp
config.action_mailer.smtp_settings = {
  address: ${sq(c.host)},
  port: ${c.port},${
    c.auth ? `\n  user_name: ${sq(c.user)},\n  password: ${sq(c.pass)},\n  authentication: :plain,` : ''
  }${c.implicit ? '\n  tls: true, # implicit TLS' : c.starttls ? '\n  enable_starttls: true,' : '\n  enable_starttls_auto: true,'}
  ca_file: ${sq(c.ca)},
}`,

  spring: (c) => `# application.properties
spring.mail.host=${c.host}
spring.mail.port=${c.port}${c.implicit ? '\nspring.mail.protocol=smtps' : ''}${
    c.auth ? `\nspring.mail.username=${c.user}\nspring.mail.password=${c.pass}` : ''
  }
spring.mail.properties.mail.${c.implicit ? 'smtps' : 'smtp'}.auth=${c.auth}${
    c.starttls
      ? '\nspring.mail.properties.mail.smtp.starttls.enable=true\nspring.mail.properties.mail.smtp.starttls.required=true'
      : ''
  }
# Trust the Mailport CA:
#   keytool -importcert -noprompt -alias mailport -file ${c.ca} -keystore mailport.p12 -storepass changeit
#   java -Djavax.net.ssl.trustStore=mailport.p12 -Djavax.net.ssl.trustStorePassword=changeit -jar app.jar`,

  // Swoosh hands these to gen_smtp, whose own TLS defaults verify nothing before OTP 26 and refuse
  // intermediate CAs (depth 0). String.to_charlist/1 rather than ~c"…", which needs Elixir 1.15.
  swoosh: (c) => `# config/dev.exs
import Config

config :my_app, MyApp.Mailer,
  adapter: Swoosh.Adapters.SMTP,
  relay: ${ex(c.host)},
  port: ${c.port},
  ssl: ${c.implicit}, # ${c.implicit ? 'implicit TLS from the first byte' : 'plaintext greeting'}
  tls: ${c.implicit ? ':never,' : c.starttls ? ':always, # then STARTTLS, required' : ':if_available,'}${
    c.auth
      ? `\n  auth: :always,\n  username: ${ex(c.user)},\n  password: ${ex(c.pass)},`
      : '\n  auth: :never,'
  }
  no_mx_lookups: true,
  tls_options: [
    verify: :verify_peer,
    cacertfile: String.to_charlist(${ex(c.ca)}),
    server_name_indication: String.to_charlist(${ex(c.certName)}),
    depth: 99
  ]

# Swoosh.Email.new(from: "app@example.com", to: "you@example.com", subject: "Hello from Mailport", text_body: "It works.")
# |> MyApp.Mailer.deliver()`,

  dotnet: (c) => `using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

var ca = X509Certificate2.CreateFromPem(File.ReadAllText(${q(c.ca)}));
using var client = new SmtpClient();
client.ServerCertificateValidationCallback = (_, cert, chain, _) =>
{
    chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
    chain.ChainPolicy.CustomTrustStore.Add(ca);
    return chain.Build(new X509Certificate2(cert!));
};

await client.ConnectAsync(${q(c.host)}, ${c.port}, SecureSocketOptions.${
    c.implicit ? 'SslOnConnect' : c.starttls ? 'StartTls' : 'StartTlsWhenAvailable'
  });${c.auth ? `\nawait client.AuthenticateAsync(${q(c.user)}, ${q(c.pass)});` : ''}

var message = new MimeMessage();
message.From.Add(MailboxAddress.Parse("app@example.com"));
message.To.Add(MailboxAddress.Parse("you@example.com"));
message.Subject = "Hello from Mailport";
message.Body = new TextPart("plain") { Text = "It works." };
await client.SendAsync(message);
await client.DisconnectAsync(true);`,

  curl: (
    c,
  ) => `curl --url ${sh(`${c.implicit ? 'smtps' : 'smtp'}://${c.host}:${c.port}`)}${c.starttls ? ' --ssl-reqd' : ''} \\
  --cacert ${sh(c.ca)}${c.auth ? ` \\\n  --user ${sh(`${c.user}:${c.pass}`)}` : ''} \\
  --mail-from app@example.com --mail-rcpt you@example.com \\
  --crlf --upload-file - <<'EOF'
From: App <app@example.com>
To: you@example.com
Subject: Hello from Mailport

It works.
EOF`,

  swaks: (
    c,
  ) => `swaks --server ${c.host} --port ${c.port}${c.implicit ? ' --tls-on-connect' : c.starttls ? ' --tls' : ''} \\
  --tls-verify --tls-ca-path ${sh(c.ca)}${
    c.auth ? ` \\\n  --auth PLAIN --auth-user ${sh(c.user)} --auth-password ${sh(c.pass)}` : ''
  } \\
  --from app@example.com --to you@example.com \\
  --header 'Subject: Hello from Mailport' --body 'It works.'`,

  postfix: (c) =>
    postfixRelaySettings({
      // Postfix looks the relay up in DNS, where `localhost` often is not.
      dial: c.host === 'localhost' ? '127.0.0.1' : c.host,
      port: c.port,
      implicit: c.implicit,
      certName: c.certName,
      caFile: c.ca,
      login: c.auth ? { user: c.user, password: c.pass } : null,
    }),
};

export function snippet(client: ClientName, info: ServerInfo, listener: ListenerInfo): string {
  return BUILDERS[client](context(info, listener));
}
