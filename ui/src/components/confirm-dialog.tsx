/** A modal confirmation for destructive actions (delete selected, clear all). */
import { useEffect, useRef } from 'preact/hooks';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ open, title, body, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  // Esc asks to cancel ('cancel'); 'close' would also come, a task late, after the effect above
  // closed it, and could cancel the next question asked meanwhile (Delete pressed again at once).
  const dismiss = (event: Event) => {
    event.preventDefault();
    onCancel();
  };

  return (
    <dialog ref={dialog} class="dialog dialog-small" aria-labelledby="confirm-title" onCancel={dismiss}>
      <h2 id="confirm-title">{title}</h2>
      <p>{body}</p>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="button button-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
