/**
 * Small real servers on 127.0.0.1 for client-side tests (smtp-client, doctor, explain, send): a
 * configurable strict SMTP server (right or deliberately wrong TLS and AUTH set-ups, broken
 * certificates, TLS 1.0 only), a listener that never greets, a closed port, a port that never
 * answers the TCP handshake, a port that refuses unknown SNI names, and other protocols' banners.
 * Every helper returns `close()`.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSecureContext, type SecureContextOptions, TLSSocket as TlsSocketClass } from 'node:tls';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type PemPair,
} from '../../src/tls/certificates.js';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export interface TlsFixtures {
  ca: PemPair;
  /** Valid for localhost and 127.0.0.1, issued by `ca`. */
  valid: PemPair;
  expired: PemPair;
  notYetValid: PemPair;
  wrongHostname: PemPair;
  selfSigned: PemPair;
  /** Issued by a CA the tests never trust. */
  untrustedCa: PemPair;
}

const DAY = 24 * 60 * 60 * 1000;

export async function createTlsFixtures(): Promise<TlsFixtures> {
  const ca = await createCertificateAuthority({ commonName: 'Mailport Test CA' });
  const otherCa = await createCertificateAuthority({ commonName: 'Somebody Else CA' });
  const hostnames = ['localhost', '127.0.0.1'];
  const now = Date.now();
  return {
    ca,
    valid: await issueServerCertificate(ca, { hostnames }),
    expired: await issueServerCertificate(ca, {
      hostnames,
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now - 2 * DAY),
    }),
    notYetValid: await issueServerCertificate(ca, {
      hostnames,
      notBefore: new Date(now + 2 * DAY),
      notAfter: new Date(now + 30 * DAY),
    }),
    wrongHostname: await issueServerCertificate(ca, { hostnames: ['mail.example.net'] }),
    selfSigned: await issueServerCertificate(null, { hostnames, selfSigned: true }),
    untrustedCa: await issueServerCertificate(otherCa, { hostnames }),
  };
}

export interface TestSmtpServerOptions {
  /** `implicit`: TLS from the first byte; `starttls`: plaintext, STARTTLS offered; `none`: plaintext only. */
  tls: 'implicit' | 'starttls' | 'none';
  certificate?: PemPair;
  /** Extra TLS settings, e.g. TLS 1.0 only. */
  secureOptions?: Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
  /**
   * Demand a client certificate issued by this CA (mutual TLS): a client without one gets a fatal
   * alert, `certificate_required` in TLS 1.3, `handshake_failure` in TLS 1.2.
   */
  clientCertificateCa?: string;
  /** AUTH and MAIL before STARTTLS get 530 5.7.0 (RFC 3207 §4). */
  tlsRequired?: boolean;
  /** MAIL before AUTH gets 530 5.7.0 (RFC 4954 §6). */
  authRequired?: boolean;
  /** Advertise and accept AUTH before TLS (a misconfiguration the doctor must report). */
  authInCleartext?: boolean;
  credentials?: { user: string; pass: string };
  /** SASL mechanisms offered (default PLAIN LOGIN); CRAM-MD5 (RFC 2195) is checked for real. */
  authMechanisms?: readonly ('PLAIN' | 'LOGIN' | 'CRAM-MD5')[];
  maxSize?: number;
  /** Recipients answered with 550 5.1.1. */
  unknownRecipients?: string[];
  /** Recipient domains answered with 554 5.7.1 relay denied when not authenticated. */
  relayDeniedUnlessAuthenticated?: boolean;
  /** Hang up after the final dot instead of replying (the message may or may not be taken). */
  hangUpAfterData?: boolean;
  /**
   * Commands (by verb, e.g. `AUTH`) answered with this reply whatever they say, as a server in
   * trouble answers; `null` hangs up without a reply. A 421 also closes the connection (RFC 5321 §3.8).
   */
  cannedReplies?: Partial<Record<string, string | null>>;
  /** EHLO keywords left out of the reply, as an older or stricter server has none of them (e.g. `8BITMIME`). */
  withoutExtensions?: readonly string[];
}

export interface TestSmtpServer extends RunningServer {
  /** Messages accepted, raw text. */
  messages: { from: string; to: string[]; data: string }[];
}

/** A strict little SMTP server speaking just enough RFC 5321/3207/4954 to be a realistic target. */
export async function startTestSmtpServer(options: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const messages: TestSmtpServer['messages'] = [];
  const offered = options.authMechanisms ?? ['PLAIN', 'LOGIN'];
  const context =
    options.certificate &&
    createSecureContext({
      cert: options.certificate.certPem,
      key: options.certificate.keyPem,
      ...options.secureOptions,
      ...(options.clientCertificateCa ? { ca: options.clientCertificateCa } : {}),
    });
  const clientCertificate = options.clientCertificateCa
    ? { requestCert: true, rejectUnauthorized: true }
    : {};
  // OpenSSL refuses a missing certificate in the handshake; one from another CA reaches Node,
  // which hangs up on it as tls.Server does.
  const refuseUnauthorized = (secured: TlsSocketClass): boolean => {
    if (!options.clientCertificateCa || secured.authorized) return true;
    secured.destroy();
    return false;
  };
  const sockets = new Set<Socket>();
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    if (options.tls === 'implicit') {
      if (!context) throw new Error('implicit TLS needs a certificate');
      const secured = new TlsSocketClass(raw, {
        isServer: true,
        secureContext: context,
        ...clientCertificate,
      });
      secured.on('error', () => raw.destroy());
      secured.once('secure', () => {
        if (refuseUnauthorized(secured)) runSession(secured, true, true);
      });
    } else {
      runSession(raw, false, true);
    }
  });

  // After STARTTLS the session restarts without a new greeting (RFC 3207 §4.2).
  function runSession(socket: Socket, secure: boolean, greet: boolean): void {
    const state = {
      secure,
      authenticated: false,
      from: null as string | null,
      to: [] as string[],
      ehlo: false,
    };
    let dataLines: string[] | null = null;
    let loginStep: 'plain' | 'user' | 'pass' | 'cram' | null = null;
    let loginUser = '';
    let cramChallenge = '';
    const reply = (line: string) => socket.write(`${line}\r\n`);
    if (greet) reply('220 test.mailport.invalid ESMTP ready');
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    // Clients in these tests break connections on purpose; a reset is not a server failure.
    lines.on('error', () => socket.destroy());
    socket.on('error', () => {});
    lines.on('line', (line) => {
      if (dataLines) {
        if (line !== '.') {
          dataLines.push(line.startsWith('..') ? line.slice(1) : line);
          return;
        }
        const data = dataLines.join('\r\n');
        dataLines = null;
        if (options.hangUpAfterData) {
          socket.destroy();
        } else if (options.maxSize && data.length > options.maxSize) {
          reply('552 5.3.4 Message size exceeds fixed maximum message size');
        } else {
          messages.push({ from: state.from ?? '', to: state.to, data });
          reply('250 2.0.0 Ok: queued as TEST1');
        }
        state.from = null;
        state.to = [];
        return;
      }
      if (loginStep) {
        const decoded = Buffer.from(line, 'base64').toString('utf8');
        if (loginStep === 'cram') {
          loginStep = null;
          const [user = '', digest = ''] = decoded.split(' ');
          const expected = options.credentials
            ? createHmac('md5', options.credentials.pass).update(cramChallenge).digest('hex')
            : '';
          finishAuth(user, digest === expected ? (options.credentials?.pass ?? '') : '');
        } else if (loginStep === 'plain') {
          loginStep = null;
          const [, user = '', pass = ''] = decoded.split('\0');
          finishAuth(user, pass);
        } else if (loginStep === 'user') {
          loginUser = decoded;
          loginStep = 'pass';
          reply('334 UGFzc3dvcmQ6');
        } else {
          loginStep = null;
          finishAuth(loginUser, decoded);
        }
        return;
      }
      const [verb = '', ...rest] = line.split(' ');
      const argument = rest.join(' ');
      const authVisible = state.secure || options.authInCleartext === true;
      const canned = options.cannedReplies?.[verb.toUpperCase()];
      if (canned === null) {
        socket.destroy();
        return;
      }
      if (canned !== undefined) {
        const text = canned.replace(/\n/g, '\r\n');
        if (canned.startsWith('421')) socket.end(`${text}\r\n`);
        else reply(text);
        return;
      }
      switch (verb.toUpperCase()) {
        case 'EHLO': {
          state.ehlo = true;
          const extensions = [
            'PIPELINING',
            `SIZE ${options.maxSize ?? 10485760}`,
            '8BITMIME',
            'ENHANCEDSTATUSCODES',
          ];
          if (options.tls === 'starttls' && !state.secure) extensions.push('STARTTLS');
          if (options.credentials && authVisible) extensions.push(`AUTH ${offered.join(' ')}`);
          extensions.push('SMTPUTF8');
          const offeredExtensions = extensions.filter(
            (extension) => !options.withoutExtensions?.includes(extension.split(' ')[0] ?? ''),
          );
          reply('250-test.mailport.invalid greets you');
          for (const [index, extension] of offeredExtensions.entries()) {
            reply(`250${index === offeredExtensions.length - 1 ? ' ' : '-'}${extension}`);
          }
          return;
        }
        case 'HELO':
          reply('250 test.mailport.invalid');
          return;
        case 'STARTTLS': {
          if (options.tls !== 'starttls' || state.secure || !context) {
            reply('502 5.5.1 STARTTLS not available');
            return;
          }
          reply('220 2.0.0 Ready to start TLS');
          lines.close();
          socket.removeAllListeners('data');
          const secured = new TlsSocketClass(socket, {
            isServer: true,
            secureContext: context,
            ...clientCertificate,
          });
          secured.on('error', () => socket.destroy());
          secured.once('secure', () => {
            if (refuseUnauthorized(secured)) runSession(secured, true, false);
          });
          return;
        }
        case 'AUTH': {
          if (options.tlsRequired && !state.secure) {
            reply('530 5.7.0 Must issue a STARTTLS command first');
            return;
          }
          if (!options.credentials || !authVisible) {
            reply('503 5.5.1 Error: authentication not enabled');
            return;
          }
          const [mechanism = '', initial] = argument.split(' ');
          if (!offered.includes(mechanism.toUpperCase() as (typeof offered)[number])) {
            reply('504 5.5.4 Unrecognized authentication type');
          } else if (mechanism.toUpperCase() === 'CRAM-MD5') {
            cramChallenge = `<${Date.now()}.${process.pid}@test.mailport.invalid>`;
            loginStep = 'cram';
            reply(`334 ${Buffer.from(cramChallenge).toString('base64')}`);
          } else if (mechanism.toUpperCase() === 'PLAIN') {
            if (!initial) {
              reply('334 ');
              loginStep = 'plain';
              return;
            }
            const [, user = '', pass = ''] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
            finishAuth(user, pass);
          } else if (mechanism.toUpperCase() === 'LOGIN' && initial) {
            // The username as an initial response (aiosmtplib, Outlook): straight to the password.
            loginUser = Buffer.from(initial, 'base64').toString('utf8');
            loginStep = 'pass';
            reply('334 UGFzc3dvcmQ6');
          } else if (mechanism.toUpperCase() === 'LOGIN') {
            loginStep = 'user';
            reply('334 VXNlcm5hbWU6');
          } else {
            reply('504 5.5.4 Unrecognized authentication type');
          }
          return;
        }
        case 'MAIL':
          if (options.tlsRequired && !state.secure) {
            reply('530 5.7.0 Must issue a STARTTLS command first');
          } else if (options.authRequired && !state.authenticated) {
            reply('530 5.7.0 Authentication required');
          } else {
            state.from = /<(.*)>/.exec(argument)?.[1] ?? '';
            reply('250 2.1.0 Ok');
          }
          return;
        case 'RCPT': {
          const address = /<(.*)>/.exec(argument)?.[1] ?? '';
          if (state.from === null) reply('503 5.5.1 Error: need MAIL command');
          else if (options.unknownRecipients?.includes(address))
            reply(
              `550 5.1.1 <${address}>: Recipient address rejected: User unknown in local recipient table`,
            );
          else if (options.relayDeniedUnlessAuthenticated && !state.authenticated)
            reply(`554 5.7.1 <${address}>: Relay access denied`);
          else {
            state.to.push(address);
            reply('250 2.1.5 Ok');
          }
          return;
        }
        case 'DATA':
          if (state.to.length === 0) {
            reply('554 5.5.1 Error: no valid recipients');
            return;
          }
          dataLines = [];
          reply('354 End data with <CR><LF>.<CR><LF>');
          return;
        case 'RSET':
          state.from = null;
          state.to = [];
          reply('250 2.0.0 Ok');
          return;
        case 'NOOP':
          reply('250 2.0.0 Ok');
          return;
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          reply('502 5.5.2 Error: command not recognized');
      }
    });

    function finishAuth(user: string, pass: string): void {
      if (user === options.credentials?.user && pass === options.credentials?.pass) {
        state.authenticated = true;
        reply('235 2.7.0 Authentication successful');
      } else {
        reply('535 5.7.8 Error: authentication failed: authentication failure');
      }
    }
  }

  const port = await listen(server);
  return { port, messages, close: () => closeServer(server, sockets) };
}

/** Accepts connections and never says anything: a server stuck before its greeting. */
export async function startSilentServer(): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server, sockets) };
}

/** Greets with another protocol's banner (IMAP `* OK`, POP3 `+OK`), as mixed-up mail ports do. */
export async function startBannerServer(banner: string, certificate?: PemPair): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const context = certificate && createSecureContext({ cert: certificate.certPem, key: certificate.keyPem });
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('error', () => {});
    raw.on('close', () => sockets.delete(raw));
    if (context) {
      const secured = new TlsSocketClass(raw, { isServer: true, secureContext: context });
      secured.on('error', () => raw.destroy());
      secured.once('secure', () => secured.write(`${banner}\r\n`));
    } else {
      raw.write(`${banner}\r\n`);
    }
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server, sockets) };
}

/**
 * A TLS endpoint with no SMTP service behind it, as a TLS proxy (stunnel, HAProxy, a load
 * balancer) in front of a mail server that is down: the handshake completes, then it hangs up or
 * says nothing. With `starttls` it first greets and takes STARTTLS in plaintext, as a server whose
 * TLS layer loses the session does.
 */
export async function startTlsFrontWithoutBackend(
  certificate: PemPair,
  afterHandshake: 'hang-up' | 'silence',
  mode: 'implicit' | 'starttls' = 'implicit',
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const context = createSecureContext({ cert: certificate.certPem, key: certificate.keyPem });
  const secure = (raw: Socket): void => {
    const secured = new TlsSocketClass(raw, { isServer: true, secureContext: context });
    secured.on('error', () => raw.destroy());
    secured.resume();
    if (afterHandshake === 'hang-up') secured.once('secure', () => secured.end());
  };
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('error', () => {});
    raw.on('close', () => sockets.delete(raw));
    if (mode === 'implicit') {
      secure(raw);
      return;
    }
    raw.write('220 front.test ESMTP\r\n');
    const lines = createInterface({ input: raw, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (/^EHLO/i.test(line)) raw.write('250-front.test\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS$/i.test(line)) {
        lines.close();
        raw.removeAllListeners('data');
        raw.write('220 2.0.0 Ready to start TLS\r\n');
        secure(raw);
      } else raw.write('503 5.5.1 STARTTLS first\r\n');
    });
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server, sockets) };
}

export interface ScriptedServer extends RunningServer {
  /** Connections the server still has open (a client that forgets to close leaves one). */
  openConnections(): number;
}

/**
 * A broken SMTP server: greets with `greeting`, then hands each command line to `answer`, which
 * writes whatever the case needs (or closes). EHLO gets a plain `250` unless `answer` handles it.
 */
export async function startScriptedServer(
  answer: (line: string, socket: Socket) => boolean,
  greeting = '220 broken.test ESMTP',
): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write(`${greeting}\r\n`);
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('error', () => socket.destroy());
    lines.on('line', (line) => {
      if (socket.destroyed || answer(line, socket)) return;
      if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
      else socket.write('250 ok\r\n');
    });
  });
  const port = await listen(server);
  return { port, openConnections: () => sockets.size, close: () => closeServer(server, sockets) };
}

export interface UnansweredDataServer extends ScriptedServer {
  /** The command verbs received, in order (MAIL twice would mean the message was sent twice). */
  commands: string[];
}

/**
 * A plaintext SMTP server that takes a whole message and then, instead of replying to the final
 * dot, hangs up or stays silent: the message may or may not have been delivered.
 */
export async function startUnansweredDataServer(
  afterDot: 'hang-up' | 'silence',
): Promise<UnansweredDataServer> {
  const commands: string[] = [];
  let inData = false;
  const server = await startScriptedServer((line, socket) => {
    if (inData) {
      if (line === '.') {
        inData = false;
        if (afterDot === 'hang-up') socket.destroy();
      }
      return true;
    }
    commands.push((line.split(/[ :]/)[0] ?? '').toUpperCase());
    if (!/^DATA/i.test(line)) return false;
    inData = true;
    socket.write('354 go ahead\r\n');
    return true;
  });
  return { ...server, commands };
}

/** A plain HTTP server, the other thing people point mail clients at. */
export async function startHttpServer(): Promise<RunningServer> {
  const server = createHttpServer((_request, response) => response.end('hello'));
  server.keepAliveTimeout = 100;
  const port = await listen(server);
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

let heldClosedPort: Promise<number> | undefined;

/**
 * A loopback port that refuses connections for as long as this process runs. A port merely
 * released can be taken by a server of a test file running in parallel, and a test of
 * a refused connection then reaches that server instead. So a socket holds the port bound without
 * ever listening: a connection to it is refused, and since the socket has no SO_REUSEADDR no
 * other socket can bind the port. Node cannot bind a TCP socket without listening, so a python3
 * process holds it, and exits when this process does (its stdin closes).
 */
export function closedPort(): Promise<number> {
  heldClosedPort ??= holdClosedPort();
  return heldClosedPort;
}

async function holdClosedPort(): Promise<number> {
  const script = [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0))',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  // Neither the process nor its pipes keep this process's event loop alive.
  child.stdout.destroy();
  (child.stdin as Socket).unref();
  child.unref();
  return Number(line);
}

/**
 * A port whose TCP handshake is never answered, as behind a firewall that drops packets (what a
 * cloud provider does to outbound port 25). A listening socket with backlog 0 whose owner never
 * calls accept(): the kernel queues one connection (taken by the helper itself), and Linux then
 * drops further SYNs while the accept queue is full, so a client's connect() times out exactly as
 * against a DROP rule. Node always accepts, so the listener lives in a small python3 process.
 */
export async function startBlackholePort(): Promise<RunningServer> {
  const script = [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'filler = socket.create_connection(s.getsockname())',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  return startPythonServer(script, []);
}

/**
 * Runs a python3 server script that prints its port on the first line of stdout and exits when
 * its stdin closes.
 */
async function startPythonServer(
  script: string,
  args: string[],
  cleanup: () => Promise<void> = async () => {},
): Promise<RunningServer> {
  const child = spawn('python3', ['-c', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return {
    port: Number(line),
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
      await cleanup();
    },
  };
}

/**
 * An SMTP port (implicit TLS, or STARTTLS) that serves only `localhost`: a ClientHello naming any
 * other host (SNI) gets a fatal `unrecognized_name` alert (TLS alert 112), as virtual-hosting mail
 * servers send. Node's TLS server cannot send that alert, so the server is a small threaded
 * python3 process.
 */
export async function startUnrecognizedNameServer(
  certificate: PemPair,
  tls: 'implicit' | 'starttls' = 'implicit',
): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mailport-sni-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await writeFile(cert, certificate.certPem);
  await writeFile(key, certificate.keyPem);
  const script = [
    'import socket, ssl, sys, threading',
    'context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
    'context.load_cert_chain(sys.argv[1], sys.argv[2])',
    "context.sni_callback = lambda sock, name, ctx: None if name in (None, 'localhost') else ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME",
    'implicit = sys.argv[3] == "implicit"',
    'listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(16)',
    'def serve(raw):',
    '    try:',
    '        conn = context.wrap_socket(raw, server_side=True) if implicit else raw',
    '        conn.sendall(b"220 localhost ESMTP\\r\\n")',
    '        lines = conn.makefile("rb")',
    '        for line in iter(lines.readline, b""):',
    '            verb = (line.split() or [b""])[0].upper()',
    '            if verb == b"QUIT":',
    '                conn.sendall(b"221 2.0.0 Bye\\r\\n"); break',
    '            if verb == b"EHLO" and conn is raw:',
    '                conn.sendall(b"250-localhost\\r\\n250 STARTTLS\\r\\n")',
    '            elif verb == b"STARTTLS" and conn is raw:',
    '                conn.sendall(b"220 2.0.0 Ready to start TLS\\r\\n")',
    '                conn = context.wrap_socket(raw, server_side=True); lines = conn.makefile("rb")',
    '            else:',
    '                conn.sendall(b"250 2.0.0 OK\\r\\n")',
    '        conn.close()',
    '    except OSError:',
    '        raw.close()',
    'def accept():',
    '    while True:',
    '        threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()',
    'threading.Thread(target=accept, daemon=True).start()',
    'print(listener.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  return startPythonServer(script, [cert, key, tls], () => rm(dir, { recursive: true, force: true }));
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  server.close();
  await once(server, 'close');
}
