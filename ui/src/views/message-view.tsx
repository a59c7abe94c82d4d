/**
 * One message: who sent it to whom, the delivery facts (port, TLS, AUTH, envelope), and the body
 * as sandboxed HTML at three preview widths, plain text, headers, raw source, attachments and the
 * deliverability checks.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, messageUrl } from '../api/client.js';
import { live } from '../api/live.js';
import type { AddressValue, MessageDetail, ReleaseInfo } from '../api/types.js';
import { DeliveryFacts } from '../components/delivery-facts.js';
import { Icon } from '../components/icon.js';
import { ReleaseDialog } from '../components/release-dialog.js';
import { RoomyText } from '../components/roomy-text.js';
import { type TabSpec, Tabs } from '../components/tabs.js';
import { countRemoteResources, prepareEmailHtml } from '../lib/email-html.js';
import { decodeEncodedWords } from '../lib/encoded-words.js';
import { focusOnMount } from '../lib/focus.js';
import { addressFull, addressLabel, formatBytes, fullDate } from '../lib/format.js';
import { useShortcuts } from '../lib/keys.js';
import { withRelease } from '../lib/releases.js';
import { navigate } from '../lib/router.js';
import { notifyReadStateChanged } from '../lib/use-unread-count.js';
import { MessageChecks } from './message-checks.js';

type TabKey = 'html' | 'text' | 'headers' | 'raw' | 'attachments' | 'checks';
type Width = 'phone' | 'tablet' | 'desktop';

const WIDTHS: ReadonlyArray<{
  key: Width;
  label: string;
  icon: 'phone' | 'tablet' | 'monitor';
  px: number | null;
}> = [
  { key: 'phone', label: 'Phone (375 px)', icon: 'phone', px: 375 },
  { key: 'tablet', label: 'Tablet (768 px)', icon: 'tablet', px: 768 },
  { key: 'desktop', label: 'Desktop (full width)', icon: 'monitor', px: null },
];

interface MessageViewProps {
  id: string;
  /** Where the server releases messages to; null hides the Release button. */
  release: ReleaseInfo | null;
  onMarkedRead: (read: boolean) => void;
  onDelete: () => void;
}

export function MessageView({ id, release, onMarkedRead, onDelete }: MessageViewProps) {
  const [message, setMessage] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TabKey>('html');
  const [releasing, setReleasing] = useState(false);

  useShortcuts((event) => {
    if (event.key !== 'r' || release === null || message === null) return;
    event.preventDefault();
    setReleasing(true);
  });

  useEffect(() => {
    let cancelled = false;
    api
      .getMessage(id)
      .then((detail) => {
        if (cancelled) return;
        setMessage(detail);
        setTab(detail.parsed.html !== null ? 'html' : 'text');
        if (!detail.read) {
          onMarkedRead(true);
          api
            .setRead(id, true)
            .then(notifyReadStateChanged)
            .catch(() => onMarkedRead(false));
        }
      })
      .catch((failure: unknown) => {
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [id]);

  // Releases made elsewhere (another tab, another node, a script) show in the facts as they are
  // recorded; those made while the stream was down are read back when it returns.
  useEffect(() => {
    const offReleased = live.on('message.released', (event) => {
      // While another message is still on screen, `current` may not be message `id` yet.
      setMessage((current) => (current?.id === event.id ? withRelease(current, event.release) : current));
    });
    const offReconnect = live.onReconnect(() => {
      api.getMessage(id).then(
        (detail) =>
          setMessage((current) => (current?.id === id ? { ...current, releases: detail.releases } : current)),
        () => undefined,
      );
    });
    return () => {
      offReleased();
      offReconnect();
    };
  }, [id]);

  if (error !== null)
    return (
      <div class="placeholder">
        <Icon name="alert" size={36} />
        <p>This message could not be loaded: {error}</p>
        <button type="button" class="button" onClick={() => navigate({ view: 'inbox', messageId: null })}>
          Back to the inbox
        </button>
      </div>
    );
  if (message === null)
    return (
      <div class="placeholder muted" aria-busy="true">
        Loading message…
      </div>
    );

  const parsed = message.parsed;
  const tabs: TabSpec<TabKey>[] = [
    ...(parsed.html !== null ? [{ key: 'html' as const, label: 'HTML' }] : []),
    { key: 'text', label: 'Text' },
    { key: 'headers', label: 'Headers' },
    { key: 'raw', label: 'Raw' },
    {
      key: 'attachments',
      label: (
        <>
          <span class="tab-icon">
            <Icon name="paperclip" size={15} />
          </span>
          <RoomyText class="tab-long" text="Attachments" />
          {parsed.attachments.length > 0 && ` (${parsed.attachments.length})`}
        </>
      ),
    },
    {
      key: 'checks',
      label: (
        <>
          <span class="tab-icon">
            <Icon name="shield" size={15} />
          </span>
          <RoomyText class="tab-long" text="Checks" />
        </>
      ),
    },
  ];

  return (
    <article class="message" aria-labelledby="message-subject">
      <header class="message-head">
        <div class="message-actions">
          <button
            type="button"
            class="icon-button back-button"
            aria-label="Back to the inbox"
            onClick={() => navigate({ view: 'inbox', messageId: null })}
          >
            <Icon name="back" />
          </button>
          <span class="toolbar-spacer" />
          <button
            type="button"
            class="icon-button"
            title="Mark unread (u)"
            aria-label="Mark unread"
            onClick={() => {
              onMarkedRead(false);
              void api.setRead(id, false).then(notifyReadStateChanged);
              navigate({ view: 'inbox', messageId: null });
            }}
          >
            <Icon name="mail" />
          </button>
          {release !== null && (
            <button
              type="button"
              class="icon-button"
              title={`Release to ${release.server} (r)`}
              aria-label="Release to a real server"
              aria-haspopup="dialog"
              onClick={() => setReleasing(true)}
            >
              <Icon name="send" />
            </button>
          )}
          <a
            class="icon-button"
            href={messageUrl.raw(id, true)}
            download
            title="Download .eml"
            aria-label="Download as .eml"
          >
            <Icon name="download" />
          </a>
          <button
            type="button"
            class="icon-button icon-danger"
            title="Delete (Delete)"
            aria-label="Delete message"
            onClick={onDelete}
          >
            <Icon name="trash" />
          </button>
        </div>
        <h2 id="message-subject" class="message-subject" tabIndex={-1} ref={focusOnMount}>
          {parsed.subject ?? message.subject ?? '(no subject)'}
        </h2>
        <div class="message-people">
          <Avatar address={parsed.from[0] ?? { name: '', address: message.envelopeFrom }} />
          <div class="people-lines">
            <p class="people-from">
              <strong>
                {parsed.from[0] !== undefined
                  ? addressLabel(parsed.from[0])
                  : message.envelopeFrom || '(no sender)'}
              </strong>
              {parsed.from[0] !== undefined && parsed.from[0].name !== '' && (
                <span class="muted"> &lt;{parsed.from[0].address}&gt;</span>
              )}
            </p>
            <AddressLine label="To" addresses={parsed.to} />
            <AddressLine label="Cc" addresses={parsed.cc} />
            <AddressLine label="Bcc" addresses={parsed.bcc} note="envelope only" />
            {parsed.replyTo.length > 0 && <AddressLine label="Reply-To" addresses={parsed.replyTo} />}
          </div>
          <time
            class="message-date"
            dateTime={message.receivedAt}
            title={`Date header: ${parsed.date ?? 'missing'}`}
          >
            {fullDate(message.receivedAt)}
          </time>
        </div>
      </header>

      <DeliveryFacts message={message} />

      <Tabs id="message" label="Message views" tabs={tabs} active={tab} onSelect={setTab} />
      <div class="tab-panel" id="message-panel" role="tabpanel" aria-labelledby={`message-tab-${tab}`}>
        {tab === 'html' && parsed.html !== null && <HtmlPreview message={message} html={parsed.html} />}
        {tab === 'text' &&
          (parsed.text !== null && parsed.text !== '' ? (
            <pre class="text-body">{parsed.text}</pre>
          ) : (
            <p class="empty-panel">This message has no plain-text part.</p>
          ))}
        {tab === 'headers' && <HeadersTable message={message} />}
        {tab === 'raw' && <RawSource id={id} />}
        {tab === 'attachments' && <Attachments message={message} />}
        {tab === 'checks' && <MessageChecks id={id} />}
      </div>
      {releasing && release !== null && (
        <ReleaseDialog
          message={message}
          release={release}
          // Read back rather than pieced together here, so the facts show the release as stored.
          // Should that read fail, the dialog has already shown the upstream's answer.
          onReleased={() => void api.getMessage(id).then(setMessage, () => undefined)}
          onClose={() => setReleasing(false)}
        />
      )}
    </article>
  );
}

function Avatar({ address }: { address: AddressValue }) {
  const label = addressLabel(address) || '?';
  let hue = 0;
  for (const char of address.address) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  return (
    <span class="avatar" style={{ '--hue': String(hue) }} aria-hidden="true">
      {label.trim().charAt(0).toUpperCase()}
    </span>
  );
}

function AddressLine({
  label,
  addresses,
  note,
}: {
  label: string;
  addresses: AddressValue[];
  note?: string;
}) {
  if (addresses.length === 0) return null;
  return (
    <p class="people-line">
      <span class="people-label">{label}</span> {addresses.map(addressFull).join(', ')}
      {note !== undefined && <span class="tag tag-warn">{note}</span>}
    </p>
  );
}

function HtmlPreview({ message, html }: { message: MessageDetail; html: string }) {
  const [width, setWidth] = useState<Width>('desktop');
  const [allowRemote, setAllowRemote] = useState(false);
  const remoteCount = useMemo(() => countRemoteResources(html), [html]);
  const srcDoc = useMemo(
    () =>
      prepareEmailHtml(html, {
        allowRemote,
        attachments: message.parsed.attachments,
        attachmentUrl: (index) => messageUrl.attachment(message.id, index),
        origin: location.origin,
      }),
    [html, allowRemote, message],
  );
  const px = WIDTHS.find((option) => option.key === width)?.px ?? null;

  return (
    <div class="html-preview">
      <div class="preview-bar">
        <fieldset class="segmented">
          <legend class="sr-only">Preview width</legend>
          {WIDTHS.map((option) => (
            <button
              key={option.key}
              type="button"
              aria-pressed={width === option.key}
              title={option.label}
              aria-label={option.label}
              onClick={() => setWidth(option.key)}
            >
              <Icon name={option.icon} size={16} />
              <span class="segmented-label">{option.key}</span>
            </button>
          ))}
        </fieldset>
        <a
          class="button button-small button-quiet"
          href={messageUrl.html(message.id)}
          target="_blank"
          rel="noopener"
          aria-label="Open the HTML in a new tab"
        >
          <Icon name="external" size={15} />
          <span class="segmented-label">Open</span>
        </a>
        <span class="toolbar-spacer" />
        {remoteCount > 0 &&
          (allowRemote ? (
            // Takes the focus of the button it replaces (it mounts only after that click).
            <span class="remote-note" tabIndex={-1} ref={focusOnMount}>
              <Icon name="image" size={15} /> Remote content loaded
            </span>
          ) : (
            <span class="remote-note remote-blocked">
              <Icon name="shield" size={15} />
              {remoteCount} remote {remoteCount === 1 ? 'resource' : 'resources'} blocked
              <button type="button" class="button button-small" onClick={() => setAllowRemote(true)}>
                Load remote images
              </button>
            </span>
          ))}
      </div>
      <div class={`preview-stage preview-${width}`}>
        <iframe
          class="preview-frame"
          title="HTML body of the message"
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          srcDoc={srcDoc}
          style={px === null ? undefined : { width: `${px}px` }}
        />
      </div>
    </div>
  );
}

function HeadersTable({ message }: { message: MessageDetail }) {
  return (
    <div class="scroll-panel">
      <table class="headers-table">
        <caption class="sr-only">Message headers in the order received</caption>
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {message.parsed.headers.map((header, index) => (
            <tr key={index}>
              <th scope="row">{header.name}</th>
              <HeaderValue value={header.value} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HeaderValue({ value }: { value: string }) {
  const decoded = decodeEncodedWords(value);
  return decoded === value ? <td>{value}</td> : <td title={`As received: ${value}`}>{decoded}</td>;
}

function RawSource({ id }: { id: string }) {
  const [raw, setRaw] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .getRaw(id)
      .then(setRaw)
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [id]);
  return (
    <div class="raw-panel">
      <div class="preview-bar">
        <span class="muted small">Exactly as received (message/rfc822)</span>
        <span class="toolbar-spacer" />
        <a class="button button-small" href={messageUrl.raw(id, true)} download>
          <Icon name="download" size={15} />
          Download .eml
        </a>
      </div>
      {error !== null ? (
        <p class="empty-panel">Could not load the source: {error}</p>
      ) : (
        <pre class="raw-source" aria-busy={raw === null}>
          {raw ?? 'Loading…'}
        </pre>
      )}
    </div>
  );
}

function Attachments({ message }: { message: MessageDetail }) {
  const attachments = message.parsed.attachments;
  if (attachments.length === 0) return <p class="empty-panel">No attachments.</p>;
  return (
    <ul class="attachments">
      {attachments.map((attachment) => {
        const url = messageUrl.attachment(message.id, attachment.index);
        const name = attachment.filename ?? `attachment-${attachment.index}`;
        const isImage = attachment.contentType.startsWith('image/');
        return (
          <li key={attachment.index} class="attachment">
            <span class="attachment-thumb" aria-hidden="true">
              {isImage ? <img src={url} alt="" loading="lazy" /> : <Icon name="file" size={26} />}
            </span>
            <span class="attachment-info">
              <span class="attachment-name">{name}</span>
              <span class="muted small">
                {attachment.contentType} · {formatBytes(attachment.size)}
                {attachment.inline && <span class="tag">inline</span>}
                {attachment.contentId !== null && (
                  <span class="tag" title="Content-ID">
                    cid:{attachment.contentId.replace(/^<|>$/g, '')}
                  </span>
                )}
              </span>
            </span>
            <a class="button button-small" href={url} download={name} aria-label={`Download ${name}`}>
              <Icon name="download" size={15} />
              Download
            </a>
          </li>
        );
      })}
    </ul>
  );
}
