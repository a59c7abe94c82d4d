/** Copies text to the clipboard and says so, visually and to screen readers. */
import { useState } from 'preact/hooks';
import { announce } from '../lib/announce.js';
import { Icon } from './icon.js';

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard !== undefined && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain http on a LAN address is not a secure context: fall back to a selected textarea.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="button button-small copy-button"
      onClick={() => {
        writeClipboard(text)
          .then(() => {
            setCopied(true);
            announce('Copied to the clipboard');
            setTimeout(() => setCopied(false), 1600);
          })
          .catch(() => announce('Copying failed; select the text and copy it by hand'));
      }}
    >
      <Icon name={copied ? 'check' : 'copy'} size={15} />
      {copied ? 'Copied' : label}
    </button>
  );
}
