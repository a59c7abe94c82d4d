/** The keyboard shortcut sheet, opened with `?`; a native <dialog> traps focus and closes on Esc. */
import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { SHORTCUTS } from '../lib/keys.js';
import { Icon } from './icon.js';

export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="help-title" onClose={onClose}>
      <div class="dialog-head">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="x" />
        </button>
      </div>
      <dl class="shortcut-list">
        {SHORTCUTS.map((shortcut) => (
          <div key={shortcut.action} class="shortcut">
            <dt>
              {shortcut.keys.map((key, index) => (
                <Fragment key={key}>
                  {index > 0 && <span class="then">then</span>}
                  <kbd>{key}</kbd>
                </Fragment>
              ))}
            </dt>
            <dd>{shortcut.action}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
