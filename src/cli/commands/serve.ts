/**
 * `mailport serve`: runs the sandbox until interrupted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { ChaosRule } from '../../chaos/rules.js';
import { formatChaosRule } from '../../chaos/syntax.js';
import { connectableHost, formatHostPort, isLoopbackHost } from '../../config/host-port.js';
import {
  type RawServeOptions,
  resolveServeConfig,
  SERVE_DEFAULTS,
  type ServeConfig,
} from '../../config/serve-config.js';
import type { ServerInfo } from '../../domain/types.js';
import { displayUrl, WEBHOOK_EVENTS } from '../../events/webhooks.js';
import { createLogger } from '../../logging/logger.js';
import { PACKAGE_ROOT } from '../../version.js';
import { enableDeadBufferCollection } from '../../workers/dead-buffers.js';

const TLS_DESCRIPTION = {
  none: 'plaintext',
  starttls: 'plaintext, STARTTLS optional',
  'starttls-required': 'STARTTLS required',
  implicit: 'implicit TLS',
} as const;

const AUTH_DESCRIPTION = { off: 'no AUTH', optional: 'AUTH optional', required: 'AUTH required' } as const;

function option(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(env);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the SMTP sandbox: four port profiles, capture, session diagnostics, HTTP API and web UI.',
    )
    .addOption(option('--host <host>', `interface to bind (default ${SERVE_DEFAULTS.host})`, 'MAILPORT_HOST'))
    .addOption(
      option(
        '--relay-port <port>',
        'relay (25-style) listener port; 0 = any free port, off = disabled (default 1025)',
        'MAILPORT_RELAY_PORT',
      ),
    )
    .addOption(
      option(
        '--submissions-port <port>',
        'submissions (465-style, implicit TLS) port (default 1465)',
        'MAILPORT_SUBMISSIONS_PORT',
      ),
    )
    .addOption(
      option(
        '--submission-port <port>',
        'submission (587-style, STARTTLS) port (default 1587)',
        'MAILPORT_SUBMISSION_PORT',
      ),
    )
    .addOption(
      option(
        '--alt-port <port>',
        'alternate (2525-style, STARTTLS) port (default 2525)',
        'MAILPORT_ALT_PORT',
      ),
    )
    .addOption(
      option(
        '--http-port <port>',
        `HTTP API and web UI port (default ${SERVE_DEFAULTS.httpPort})`,
        'MAILPORT_HTTP_PORT',
      ),
    )
    .addOption(
      option(
        '--standard-ports',
        'bind the real ports 25, 465, 587 and 2525 (needs privileges)',
        'MAILPORT_STANDARD_PORTS',
      ),
    )
    .addOption(
      option(
        '--data-dir <dir>',
        `where messages, sessions and TLS files live (default ${SERVE_DEFAULTS.dataDir})`,
        'MAILPORT_DATA_DIR',
      ),
    )
    .addOption(option('--ephemeral', 'use a temporary data dir, removed on exit', 'MAILPORT_EPHEMERAL'))
    .addOption(
      option(
        '--storage <url>',
        'storage: a SQLite file path (default <data-dir>/mailport.db) or postgres://…',
        'MAILPORT_STORAGE',
      ),
    )
    .addOption(
      new Option(
        '--auth <user:pass>',
        'accepted credentials, repeatable; the AUTH user names the inbox, and PASS is also the token XOAUTH2 and OAUTHBEARER take (default mailport:mailport)',
      )
        .env('MAILPORT_AUTH')
        .argParser(collect),
    )
    .addOption(
      option(
        '--auth-any',
        'accept any credentials, and any unexpired OAuth token (AUTH is still required where the profile requires it)',
        'MAILPORT_AUTH_ANY',
      ),
    )
    .addOption(
      option(
        '--sender-must-match-login',
        'after AUTH, refuse a MAIL FROM other than the login itself (553 5.7.1), as Gmail and Microsoft 365 do',
        'MAILPORT_SENDER_MUST_MATCH_LOGIN',
      ),
    )
    .addOption(
      new Option(
        '--http-auth <user:pass>',
        'make the HTTP API and web UI ask for this login (HTTP Basic), repeatable; every route but /healthz and /oauth2/token answers 401 without one (default: open to anyone who reaches the port)',
      )
        .env('MAILPORT_HTTP_AUTH')
        .argParser(collect),
    )
    .addOption(
      option(
        '--http-auth-file <file>',
        'read --http-auth logins from a file, one USER:PASS per line, # comments (keeps passwords out of ps and shell history)',
        'MAILPORT_HTTP_AUTH_FILE',
      ),
    )
    .addOption(
      option(
        '--http-tls',
        "serve the HTTP API and web UI over HTTPS (TLS 1.2+) with the certificate of the SMTP listeners: the local CA's, or --tls-cert; plain http:// is then refused on that port",
        'MAILPORT_HTTP_TLS',
      ),
    )
    .addOption(
      option(
        '--hostname <name>',
        'name in the greeting and the certificate (default localhost)',
        'MAILPORT_HOSTNAME',
      ),
    )
    .addOption(
      option('--tls-cert <file>', 'PEM certificate to use instead of the local CA', 'MAILPORT_TLS_CERT'),
    )
    .addOption(option('--tls-key <file>', 'PEM private key for --tls-cert', 'MAILPORT_TLS_KEY'))
    .addOption(
      option(
        '--max-message-size <size>',
        'largest message accepted, e.g. 25MiB (default 25MiB)',
        'MAILPORT_MAX_MESSAGE_SIZE',
      ),
    )
    .addOption(
      option('--max-recipients <n>', 'recipients per message (default 100)', 'MAILPORT_MAX_RECIPIENTS'),
    )
    .addOption(
      option(
        '--max-connections <n>',
        'simultaneous SMTP connections (default 1000)',
        'MAILPORT_MAX_CONNECTIONS',
      ),
    )
    .addOption(
      option(
        '--idle-timeout <duration>',
        'disconnect silent clients after this long, e.g. 300s (default 300s)',
        'MAILPORT_IDLE_TIMEOUT',
      ),
    )
    .addOption(
      option(
        '--oauth-token-lifetime <duration>',
        'expires_in of the access tokens POST /oauth2/token issues, e.g. 30s to test that your application renews them (default 1h)',
        'MAILPORT_OAUTH_TOKEN_LIFETIME',
      ),
    )
    .addOption(
      option(
        '--max-messages <n>',
        'keep at most this many messages, pruning the oldest; 0 = unlimited (default 0)',
        'MAILPORT_MAX_MESSAGES',
      ),
    )
    .addOption(
      option(
        '--max-sessions <n>',
        'keep at most this many SMTP sessions (transcripts), pruning the oldest; 0 = unlimited (default 0)',
        'MAILPORT_MAX_SESSIONS',
      ),
    )
    .addOption(
      option(
        '--log-level <level>',
        'debug, info, warn, error or silent (default info)',
        'MAILPORT_LOG_LEVEL',
      ),
    )
    .addOption(option('--log-format <format>', 'text or json (default text)', 'MAILPORT_LOG_FORMAT'))
    .addOption(
      new Option(
        '--webhook <url>',
        'POST each event as JSON to this URL, repeatable (retried with backoff; never delays SMTP)',
      )
        .env('MAILPORT_WEBHOOK')
        .argParser(collect),
    )
    .addOption(
      option(
        '--webhook-events <list>',
        `events to send, comma-separated: ${WEBHOOK_EVENTS.join(', ')} (default message.received)`,
        'MAILPORT_WEBHOOK_EVENTS',
      ),
    )
    .addOption(
      option(
        '--webhook-secret <secret>',
        'sign each body: X-Mailport-Signature: sha256=HMAC-SHA256(secret, body) in hex',
        'MAILPORT_WEBHOOK_SECRET',
      ),
    )
    .addOption(
      new Option(
        '--chaos <rule>',
        'make an SMTP stage fail on purpose, repeatable: STAGE:ACTION[,OPTION=VALUE...] (see "Chaos rules" below)',
      )
        .env('MAILPORT_CHAOS')
        .argParser(collect),
    )
    .addOption(
      option(
        '--sending-ip <ip>',
        'the production IP your mail leaves from: the deliverability checks evaluate SPF for it (default: the address each message came from)',
        'MAILPORT_SENDING_IP',
      ),
    )
    .addOption(
      option(
        '--dns-server <host[:port]>',
        'DNS server (an IP address) for the deliverability checks, e.g. 127.0.0.1:5353 (default: the system resolver)',
        'MAILPORT_DNS_SERVER',
      ),
    )
    .addOption(
      option(
        '--spamassassin <host[:port]>',
        'spamd to score each message with in the deliverability checks, e.g. 127.0.0.1:783 after `spamd -L --listen=127.0.0.1:783` (default: no spam score)',
        'MAILPORT_SPAMASSASSIN',
      ),
    )
    .addOption(
      option(
        '--release-server <host[:port]>',
        'SMTP server that captured messages may be released to (POST /api/v1/messages/{id}/release, `mailport messages release`); without a port, 587 STARTTLS → 465 implicit TLS → 2525 (default: release off)',
        'MAILPORT_RELEASE_SERVER',
      ),
    )
    .addOption(
      new Option(
        '--release-tls <mode>',
        'TLS to the release server: auto (465 implicit, others STARTTLS), starttls, implicit, none (default auto)',
      )
        .env('MAILPORT_RELEASE_TLS')
        .choices(['auto', 'starttls', 'implicit', 'none']),
    )
    .addOption(option('--release-user <user>', 'AUTH user on the release server', 'MAILPORT_RELEASE_USER'))
    .addOption(
      option(
        '--release-pass-env <var>',
        'environment variable holding the AUTH password of --release-user (the password is never a flag, never logged or shown)',
        'MAILPORT_RELEASE_PASS_ENV',
      ),
    )
    .addOption(
      option(
        '--release-ca <file>',
        'also trust this CA certificate (PEM) for the release server',
        'MAILPORT_RELEASE_CA',
      ),
    )
    .addOption(
      option(
        '--release-from <address>',
        'envelope sender of every release (default: the message’s own MAIL FROM)',
        'MAILPORT_RELEASE_FROM',
      ),
    )
    .addOption(
      new Option(
        '--release-allow <pattern>',
        'recipients a release may go to, a glob such as *@example.com, repeatable; with it a release defaults to the message’s recipients, without it it goes only to the addresses each request names',
      )
        .env('MAILPORT_RELEASE_ALLOW')
        .argParser(collect),
    )
    .addHelpText(
      'after',
      `
Chaos rules (--chaos, repeatable; MAILPORT_CHAOS takes several separated by ";"):
  STAGE   connect (the greeting), ehlo, auth, mail, rcpt, data (the reply to DATA or BDAT LAST),
          message (the reply after the message body)
  ACTION  451 or 451/4.3.0   reply with this code (400-599) and RFC 3463 enhanced code (default
                             per stage and code); 421 also closes the connection
          delay=10s          hold the reply back (ms, s or m; at most 10m), then accept
          disconnect         close the connection without replying
  OPTION  p=0.1              probability (default 1)
          times=2            fire only the first 2 times, then let the client through
          match=*@flaky.test glob on the recipient (rcpt), sender (mail), AUTH user (auth),
                             EHLO name (ehlo) or any recipient (data, message); case-insensitive
          client=10.0.0.0/8  only connections from this network or single address, IPv4 or
                             IPv6 (192.0.2.7, fd00::/8), at every stage; an IPv4 network also
                             takes its IPv4-mapped addresses (::ffff:10.1.2.3)
          profile=submission only on this listener
          id=NAME            name shown in transcripts (default chaos-N)
          text=...           reply text (takes the rest of the rule)
  Rules are tried in order; the first that fires wins. They act only where the server would
  otherwise accept, and GET/PUT/DELETE /api/v1/chaos read and replace them at run time.

Examples:
  $ mailport serve                                   # dev ports 1025/1465/1587/2525, UI on :8025
  $ mailport serve --auth team-a:secret --auth team-b:secret
  $ mailport serve --ephemeral --relay-port 0 --http-port 0
  $ mailport serve --sending-ip 203.0.113.5          # SPF as your production server sends
  $ mailport serve --spamassassin 127.0.0.1:783      # SpamAssassin scores in the checks
  $ sudo mailport serve --standard-ports --host 0.0.0.0 --auth app:secret --http-auth-file ./http-logins
  $ mailport serve --host 0.0.0.0 --http-auth qa:a-long-password   # then --api http://qa:a-long-password@HOST:8025
  $ mailport serve --chaos 'rcpt:451,match=*@flaky.test,times=2' --chaos 'message:554,p=0.1'
  $ mailport serve --host 0.0.0.0 --chaos 'connect:421,client=10.0.0.0/8'
  $ MAILPORT_CHAOS='connect:delay=10s;data:disconnect' mailport serve
  $ RELEASE_PASS=... mailport serve --release-server smtp.example.com --release-user qa@example.com \\
      --release-pass-env RELEASE_PASS --release-allow '*@example.com'   # release mail to real inboxes`,
    )
    .action(
      async (
        raw: RawServeOptions & {
          auth?: string[] | string;
          httpAuth?: string[] | string;
          webhook?: string[] | string;
          releaseAllow?: string[] | string;
        },
      ) => {
        // From the environment, a repeatable option arrives as one comma-separated string.
        const auth = typeof raw.auth === 'string' ? [raw.auth] : raw.auth;
        const httpAuth = typeof raw.httpAuth === 'string' ? [raw.httpAuth] : raw.httpAuth;
        const webhook = typeof raw.webhook === 'string' ? [raw.webhook] : raw.webhook;
        const releaseAllow = typeof raw.releaseAllow === 'string' ? [raw.releaseAllow] : raw.releaseAllow;
        const uiDir = join(PACKAGE_ROOT, 'dist', 'ui');
        const config = resolveServeConfig(
          {
            ...raw,
            ...(auth ? { auth } : {}),
            ...(httpAuth ? { httpAuth } : {}),
            ...(webhook ? { webhook } : {}),
            ...(releaseAllow ? { releaseAllow } : {}),
          },
          existsSync(uiDir) ? uiDir : null,
        );
        const logger = createLogger(config.logLevel, config.logFormat);
        if (!isLoopbackHost(config.host) && config.auth.mode !== 'configured') {
          logger.warn(
            `Listening on ${config.host} (reachable from other machines) with ${config.auth.mode === 'any' ? 'any credentials accepted' : 'the public default credentials'}: pass --auth USER:PASS.`,
          );
        }
        if (!isLoopbackHost(config.host) && config.httpPort !== null && config.httpAuth === null) {
          logger.warn(
            `The HTTP API and web UI on ${config.host} are open to anyone who can reach that address: they can read every captured message (reset links, tokens), delete them, change chaos rules${config.release === null ? '' : ' and release mail'}. Pass --http-auth USER:PASS (or --http-auth-file FILE).`,
          );
        }
        if (
          !isLoopbackHost(config.host) &&
          config.httpPort !== null &&
          config.httpAuth !== null &&
          !config.httpTls
        ) {
          logger.warn(
            `The HTTP API on ${config.host} asks for a login over plain HTTP: the password (HTTP Basic) and every captured message cross the network unencrypted. Add --http-tls to serve it over HTTPS.`,
          );
        }
        if (!isLoopbackHost(config.host) && config.release !== null && config.release.allow.length === 0) {
          logger.warn(
            `Release is on without --release-allow and the API listens on ${config.host}: anyone who can reach it can send mail through ${config.release.host} to any address. Add --release-allow '*@your-domain.example'.`,
          );
        }
        // Before the store starts its writer thread, so that it can free message buffers promptly too.
        enableDeadBufferCollection();
        // Loaded when run: the server's modules (HTTP, storage, parsing) are most of the CLI's start-up.
        const { startMailport } = await import('../../app/mailport.js');
        const running = await startMailport(config, logger);
        process.stdout.write(banner(running.info(), config.webhooks, config.chaos));
        const stop = (signal: string): void => {
          logger.info(`Received ${signal}, shutting down`);
          running.stop().then(
            () => process.exit(0),
            (error: unknown) => {
              logger.error('Shutdown failed', { error: String(error) });
              process.exit(1);
            },
          );
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      },
    );
}

export function banner(
  info: ServerInfo,
  webhooks: ServeConfig['webhooks'],
  chaos: readonly ChaosRule[],
): string {
  const rows = info.listeners.map(
    (l) =>
      `    ${l.profile.padEnd(12)} ${formatHostPort(l.host, l.port).padEnd(22)} ${`${TLS_DESCRIPTION[l.tls]}, ${AUTH_DESCRIPTION[l.auth]}`.padEnd(46)} stands in for port ${l.standardPort}`,
  );
  const credentials =
    info.auth.mode === 'default' && info.auth.defaultCredentials
      ? `${info.auth.defaultCredentials.user} / ${info.auth.defaultCredentials.pass}   (choose your own with --auth USER:PASS)`
      : info.auth.mode === 'any'
        ? 'any username and password, or any unexpired OAuth token, are accepted (--auth-any)'
        : `users ${info.auth.users.join(', ')} (passwords as given with --auth)`;
  // XOAUTH2 and OAUTHBEARER take the password itself, or a token the sandbox's endpoint signed with it.
  const { tokenUrl } = info.auth.oauth;
  const tokenEndpoint =
    tokenUrl === null
      ? ''
      : `\n                OAuth token endpoint: POST ${tokenUrl} (${info.auth.mode === 'any' ? 'any refresh token is taken' : "a login's password is its refresh token"})`;
  const tokens =
    info.auth.mode === 'any'
      ? tokenEndpoint
      : `\n                XOAUTH2 and OAUTHBEARER take the password as the OAuth token${tokenEndpoint}`;
  const senderRule = info.auth.senderMustMatchLogin
    ? '\n                after AUTH, MAIL FROM must be the login itself (--sender-must-match-login)'
    : '';
  const submission = info.listeners.find((l) => l.profile === 'submission');
  const creds = info.auth.defaultCredentials;
  const tryIt = submission
    ? `  Try it:       swaks --server ${swaksServer(submission)} --tls --tls-ca-path ${info.tls.caPath}${creds ? ` --auth-user ${creds.user} --auth-password ${creds.pass}` : ''} --to you@example.com\n`
    : '';
  const hooks = webhooks.urls.map(
    (url) => `  Webhook:      POST ${webhooks.events.join(', ')} to ${displayUrl(url)}\n`,
  );
  // Failures on purpose must never surprise whoever reads the console.
  const chaosRules = chaos.map(
    (rule) => `  Chaos rule:   ${rule.id} ${formatChaosRule(rule)} (GET /api/v1/chaos counts its firings)\n`,
  );
  // Mail leaving the sandbox for real inboxes must be visible at a glance.
  const release = info.release
    ? `  Release:      to ${info.release.server} (TLS ${info.release.tls}${info.release.from ? `, envelope from ${info.release.from}` : ''}); ${info.release.allow.length > 0 ? `recipients matching ${info.release.allow.join(', ')}` : 'only to the recipients each release names (no --release-allow)'}\n`
    : '';
  return `Mailport ${info.version} is running.

  SMTP listeners
${rows.join('\n')}

  Credentials:  ${credentials}${tokens}${senderRule}
  Web UI + API: ${info.http.port > 0 ? `${info.http.url}${info.http.authRequired ? '   (login required: --http-auth)' : ''}` : 'off (--http-port off)'}
  TLS CA:       ${info.tls.caPath}
                trust it in Node with: export ${info.tls.trustHint}
  Storage:      ${info.storage.engine}${info.storage.dataDir ? ` in ${info.storage.dataDir}` : ''}
${hooks.join('')}${chaosRules.join('')}${release}${tryIt}
Press Ctrl+C to stop.
`;
}

/** swaks reaches IPv6 only with IO::Socket::INET6, often missing: a dual-stack `::` is tried over IPv4. */
function swaksServer(listener: { host: string; port: number }): string {
  const host = listener.host === '::' ? '127.0.0.1' : connectableHost(listener.host);
  return formatHostPort(host, listener.port);
}
