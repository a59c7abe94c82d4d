/** The TLS facts of a connection in one line: how TLS was reached, the version and the cipher. */
import { Fragment } from 'preact';
import type { MessageDetail } from '../api/types.js';

export function TlsFacts({ tls }: { tls: MessageDetail['tls'] }) {
  if (tls === null) return <span class="tag tag-warn">No TLS · plaintext</span>;
  // Cipher names are long single words; allow line breaks after each underscore.
  const cipherParts = tls.cipher.split('_');
  return (
    <>
      <span class="tag tag-ok">{tls.mode === 'implicit' ? 'Implicit TLS' : 'STARTTLS'}</span> {tls.protocol}{' '}
      <span class="muted mono small">
        {cipherParts.map((part, index) => (
          <Fragment key={index}>
            {index > 0 && '_'}
            {index > 0 && <wbr />}
            {part}
          </Fragment>
        ))}
      </span>
    </>
  );
}
