/**
 * How the message arrived, at a glance: port and profile, STARTTLS or implicit TLS with version
 * and cipher, the AUTH user and mechanism, and the SMTP envelope with Bcc recipients marked; and
 * where it went since, each release to a real server.
 */
import { PORT_PROFILES } from '../../../src/profiles/port-profiles.js';
import type { MessageDetail } from '../api/types.js';
import { formatBytes, fullDate, shortDate } from '../lib/format.js';
import { linkProps } from '../lib/router.js';
import { Icon } from './icon.js';
import { TlsFacts } from './tls-facts.js';

export function DeliveryFacts({ message }: { message: MessageDetail }) {
  const bcc = new Set(message.parsed.bcc.map((address) => address.address.toLowerCase()));
  const tls = message.tls;
  return (
    <section class="facts" aria-labelledby="facts-title">
      <h3 id="facts-title" class="sr-only">
        Delivery facts
      </h3>
      <dl class="facts-grid">
        <div class="fact">
          <dt>
            <Icon name="server" size={14} /> Port
          </dt>
          <dd>
            <strong>:{message.listener.port}</strong> {PORT_PROFILES[message.listener.profile].label}
          </dd>
        </div>
        <div class="fact">
          <dt>
            <Icon name={tls === null ? 'unlock' : 'lock'} size={14} /> Transport
          </dt>
          <dd>
            <TlsFacts tls={tls} />
          </dd>
        </div>
        <div class="fact">
          <dt>
            <Icon name="key" size={14} /> AUTH
          </dt>
          <dd>
            {message.auth === null ? (
              <span class="muted">Not authenticated</span>
            ) : (
              <>
                <strong>{message.auth.user}</strong> <span class="tag">{message.auth.mechanism}</span>
              </>
            )}
          </dd>
        </div>
        <div class="fact">
          <dt>
            <Icon name="user" size={14} /> Client
          </dt>
          <dd>
            {message.client.address}
            {message.heloName !== null && <span class="muted"> · EHLO {message.heloName}</span>}
          </dd>
        </div>
        <div class="fact">
          <dt>MAIL FROM</dt>
          <dd class="mono">
            {message.envelope.mailFrom.address === ''
              ? '<> (null sender)'
              : message.envelope.mailFrom.address}
          </dd>
        </div>
        <div class="fact">
          <dt>RCPT TO</dt>
          <dd class="mono">
            {message.envelope.rcptTo.map((recipient, index) => (
              <span key={index} class="rcpt">
                {recipient.address}
                {bcc.has(recipient.address.toLowerCase()) && <span class="tag tag-warn">bcc</span>}
              </span>
            ))}
          </dd>
        </div>
        {message.releases.length > 0 && (
          <div class="fact fact-wide">
            <dt>
              <Icon name="send" size={14} /> Releases
            </dt>
            <dd>
              {message.releases.map((release, index) => (
                <span key={index} class="release-record">
                  Released to <strong>{release.to.join(', ')}</strong> via{' '}
                  <span class="mono">{release.server}</span> at{' '}
                  <time dateTime={release.at} title={fullDate(release.at)}>
                    {shortDate(release.at)}
                  </time>
                  <span class="muted small"> · {release.reply}</span>
                </span>
              ))}
            </dd>
          </div>
        )}
        <div class="fact fact-meta">
          <dt class="sr-only">Size and session</dt>
          <dd class="muted small">
            {formatBytes(message.size)} · inbox <strong>{message.inbox}</strong> ·{' '}
            <a {...linkProps({ view: 'sessions', sessionId: message.sessionId })}>SMTP session transcript</a>
          </dd>
        </div>
      </dl>
    </section>
  );
}
