/**
 * Releases the open message to the real SMTP server of `--release-server`: the recipients,
 * prefilled by the server's rule (the message's own that match `--release-allow`; none without
 * it) and editable, a Send button, then the upstream's reply or the refusal with its fix.
 * Mounted when opened, so every opening starts afresh; a native <dialog> traps focus and closes on Esc.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ReleaseAllowList } from '../../../src/release/allow-list.js';
import { ApiError, api } from '../api/client.js';
import type { MessageDetail, ReleaseInfo, ReleaseResult } from '../api/types.js';
import { announce } from '../lib/announce.js';
import { FixText } from './fix-text.js';

interface ReleaseDialogProps {
  message: MessageDetail;
  release: ReleaseInfo;
  /** After the upstream accepted the message: the server has recorded the release on it. */
  onReleased: () => void;
  onClose: () => void;
}

interface Failure {
  detail: string;
  fix: string | null;
  cause: string | null;
}

export function ReleaseDialog({ message, release, onReleased, onClose }: ReleaseDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const allow = new ReleaseAllowList(release.allow);
  const envelopeTo = message.envelope.rcptTo.map((recipient) => recipient.address);
  const leftOut = allow.configured ? envelopeTo.filter((address) => !allow.permits(address)) : [];
  const [recipients, setRecipients] = useState(() =>
    allow
      .defaultRecipients(envelopeTo)
      .filter((address) => allow.permits(address))
      .join(', '),
  );
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReleaseResult | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);

  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  // The Send button that had focus is gone once the message is released.
  useEffect(() => {
    if (result !== null) closeButton.current?.focus();
  }, [result]);

  const addresses = recipients.split(/[\s,;]+/).filter((address) => address !== '');

  async function send() {
    setBusy(true);
    setFailure(null);
    try {
      const released = await api.release(message.id, addresses);
      setResult(released);
      announce(`Released to ${released.to.join(', ')}`);
      onReleased();
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="release-title"
      aria-describedby="release-about"
      onClose={onClose}
    >
      <h2 id="release-title">Release to a real server</h2>
      <p id="release-about" class="muted small">
        Sends this message as captured, byte for byte, to <code>{release.server}</code> with envelope sender{' '}
        <code>&lt;{release.from ?? message.envelope.mailFrom.address}&gt;</code>.
      </p>
      <form
        class="release-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (addresses.length > 0 && !busy) void send();
        }}
      >
        <label for="release-to" class="release-label">
          Recipients
        </label>
        <input
          id="release-to"
          class="text-input release-input"
          type="text"
          inputMode="email"
          autocomplete="off"
          spellcheck={false}
          value={recipients}
          placeholder="qa@example.com, another@example.com"
          readOnly={result !== null}
          aria-invalid={failure !== null}
          aria-describedby={failure === null ? 'release-hint' : 'release-error release-hint'}
          onInput={(event) => {
            setRecipients(event.currentTarget.value);
            setFailure(null);
          }}
        />
        <p id="release-hint" class="muted small">
          {allow.configured ? (
            <>
              Every recipient must match <code>--release-allow</code> {release.allow.join(', ')}; separate
              them with commas.
            </>
          ) : (
            <>
              Type each address, separated by commas: without <code>--release-allow</code> on the server,
              Mailport releases only to the addresses you name, never to the message’s own recipients.
            </>
          )}
          {leftOut.length > 0 && <> Left out, not allowed: {leftOut.join(', ')}.</>}
        </p>
        {failure !== null && (
          <div id="release-error" class="field-error" role="alert">
            <p>
              {failure.detail}
              {failure.cause !== null && (
                <>
                  {' '}
                  <code>{failure.cause}</code>
                </>
              )}
            </p>
            {failure.fix !== null && (
              <p>
                <strong>What to do:</strong> <FixText text={failure.fix} />
              </p>
            )}
          </div>
        )}
        <div role="status" class="release-status">
          {result !== null && (
            <p class="release-done">
              Released to {result.to.join(', ')} via {result.server}:{result.port} (
              {result.tls.mode === 'none' ? 'no TLS' : `${result.tls.mode}, ${result.tls.protocol}`}). The
              server replied: <code>{result.reply}</code>
            </p>
          )}
        </div>
        <div class="dialog-actions">
          <button type="button" class="button" ref={closeButton} onClick={() => dialog.current?.close()}>
            {result === null ? 'Cancel' : 'Close'}
          </button>
          {result === null && (
            <button type="submit" class="button button-primary" disabled={busy || addresses.length === 0}>
              {busy ? 'Sending…' : 'Send'}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}

function failureOf(error: unknown): Failure {
  if (!(error instanceof ApiError)) return { detail: String(error), fix: null, cause: null };
  const { fix, cause } = error.problem;
  return {
    detail: error.detail,
    fix: typeof fix === 'string' ? fix : null,
    cause: typeof cause === 'string' ? cause : null,
  };
}
