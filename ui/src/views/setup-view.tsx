/**
 * Setup: the listeners with their TLS and AUTH rules, the CA certificate to trust, and copy-paste
 * settings for common senders filled in with this server's real values.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { PORT_PROFILES } from '../../../src/profiles/port-profiles.js';
import type { ListenerInfo, ServerInfo } from '../api/types.js';
import { CopyButton } from '../components/copy-button.js';
import { Icon } from '../components/icon.js';
import { Tabs } from '../components/tabs.js';
import { formatBytes } from '../lib/format.js';
import { authLong, tlsLong } from '../lib/listener.js';
import {
  CLIENTS,
  type ClientName,
  connectHost,
  credentialsFor,
  PASSWORD_PLACEHOLDER,
  snippet,
} from '../lib/snippets.js';

export function SetupView({ info }: { info: ServerInfo | null }) {
  if (info === null)
    return (
      <div class="placeholder muted" aria-busy="true">
        Loading server settings…
      </div>
    );
  return (
    <div class="page">
      <div class="page-inner">
        <header class="page-head">
          <h1 class="pane-title">Connect your app</h1>
          <p class="muted">
            Mailport {info.version} on <strong>{info.hostname}</strong> behaves like a strict production mail
            server on each port role. Pick the port your app uses in production and copy its settings.
          </p>
        </header>
        <Listeners listeners={info.listeners} />
        <div class="setup-cards">
          <CredentialsCard info={info} />
          <CaCard info={info} />
        </div>
        <Snippets info={info} />
        <Limits info={info} />
      </div>
    </div>
  );
}

function Listeners({ listeners }: { listeners: ListenerInfo[] }) {
  return (
    <section aria-labelledby="listeners-heading">
      <h2 id="listeners-heading" class="section-title">
        Listeners
      </h2>
      <ul class="listener-cards">
        {listeners.map((listener) => (
          <li key={listener.port} class="listener-card">
            <div class="listener-card-head">
              <span class="listener-port">{listener.port}</span>
              <span class="tag">stands for {listener.standardPort}</span>
            </div>
            <p class="listener-label">{listener.label}</p>
            <p class="listener-rule">
              <Icon name={listener.tls === 'none' ? 'unlock' : 'lock'} size={14} /> {tlsLong(listener.tls)}
            </p>
            <p class="listener-rule">
              <Icon name="key" size={14} /> {authLong(listener.auth)}
            </p>
            <p class="muted small">{PORT_PROFILES[listener.profile].description}</p>
            <p class="mono small">
              {connectHost(listener)}:{listener.port}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function CredentialsCard({ info }: { info: ServerInfo }) {
  const credentials = credentialsFor(info);
  const explain = {
    default: 'Built-in development credentials. Start with --auth USER:PASS to set your own.',
    configured: 'Configured with --auth. The password is not shown here: use the one you configured.',
    any: 'Started with --auth-any: any username and password are accepted (AUTH is still required).',
  }[info.auth.mode];
  return (
    <section class="card" aria-labelledby="credentials-heading">
      <h2 id="credentials-heading" class="card-title">
        <Icon name="key" size={18} /> SMTP credentials
      </h2>
      <dl class="kv">
        <div>
          <dt>Username</dt>
          <dd>
            <code>{credentials.user}</code>
            <CopyButton text={credentials.user} label="Copy" />
          </dd>
        </div>
        <div>
          <dt>Password</dt>
          <dd>
            <code>{credentials.pass}</code>
            {credentials.pass !== PASSWORD_PLACEHOLDER && <CopyButton text={credentials.pass} label="Copy" />}
          </dd>
        </div>
      </dl>
      {info.auth.mode === 'configured' && info.auth.users.length > 1 && (
        <p class="small">Users (each one has its own inbox): {info.auth.users.join(', ')}</p>
      )}
      <p class="muted small">{explain}</p>
    </section>
  );
}

function CaCard({ info }: { info: ServerInfo }) {
  const href = useMemo(
    () => URL.createObjectURL(new Blob([info.tls.caPem], { type: 'application/x-pem-file' })),
    [info],
  );
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  return (
    <section class="card" aria-labelledby="ca-heading">
      <h2 id="ca-heading" class="card-title">
        <Icon name="shield" size={18} /> CA certificate
      </h2>
      <p class="small">
        Mailport signs its TLS certificate with a local CA. Clients that verify certificates (they should)
        need to trust it.
      </p>
      <div class="button-row">
        <a class="button button-primary" href={href} download="mailport-ca.pem">
          <Icon name="download" size={16} />
          Download mailport-ca.pem
        </a>
        <CopyButton text={info.tls.caPem} label="Copy PEM" />
      </div>
      <p class="small">
        On this machine: <code>{info.tls.caPath}</code>
      </p>
      <div class="inline-code">
        <code>{info.tls.trustHint}</code>
        <CopyButton text={info.tls.trustHint} />
      </div>
    </section>
  );
}

function Snippets({ info }: { info: ServerInfo }) {
  const preferred = info.listeners.find((listener) => listener.profile === 'submission') ?? info.listeners[0];
  const [port, setPort] = useState(preferred?.port ?? 0);
  const [client, setClient] = useState<ClientName>('nodemailer');
  const listener = info.listeners.find((candidate) => candidate.port === port) ?? preferred;
  if (listener === undefined) return null;
  const code = snippet(client, info, listener);
  return (
    <section aria-labelledby="snippets-heading" class="snippets">
      <div class="snippets-head">
        <h2 id="snippets-heading" class="section-title">
          Client settings
        </h2>
        <fieldset class="segmented">
          <legend class="sr-only">Listener for the settings</legend>
          {info.listeners.map((candidate) => (
            <button
              key={candidate.port}
              type="button"
              aria-pressed={candidate.port === listener.port}
              onClick={() => setPort(candidate.port)}
              title={candidate.label}
            >
              :{candidate.port} <span class="segmented-label">{candidate.profile}</span>
            </button>
          ))}
        </fieldset>
      </div>
      <Tabs
        id="snippet"
        label="Client"
        tabs={CLIENTS.map((entry) => ({ key: entry.key, label: entry.label }))}
        active={client}
        wrap
        onSelect={setClient}
      />
      <div class="code-block" id="snippet-panel" role="tabpanel" aria-labelledby={`snippet-tab-${client}`}>
        <div class="code-actions">
          <CopyButton text={code} />
        </div>
        <pre>
          <code>{code}</code>
        </pre>
      </div>
    </section>
  );
}

function Limits({ info }: { info: ServerInfo }) {
  const { limits } = info;
  return (
    <section aria-labelledby="limits-heading">
      <h2 id="limits-heading" class="section-title">
        Limits
      </h2>
      <dl class="limits">
        <div>
          <dt>Message size</dt>
          <dd>{formatBytes(limits.maxMessageSize)}</dd>
        </div>
        <div>
          <dt>Recipients per message</dt>
          <dd>{limits.maxRecipients}</dd>
        </div>
        <div>
          <dt>Connections</dt>
          <dd>{limits.maxConnections}</dd>
        </div>
        <div>
          <dt>Idle timeout</dt>
          <dd>{limits.idleTimeoutSeconds} s</dd>
        </div>
        <div>
          <dt>Messages kept</dt>
          <dd>{limits.maxMessages === 0 ? 'unlimited' : limits.maxMessages}</dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd>{info.storage.engine}</dd>
        </div>
      </dl>
    </section>
  );
}
