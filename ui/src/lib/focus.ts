/**
 * Moves focus to a view's heading when the view appears (a message or session opened), so a
 * screen reader starts reading there and Tab continues inside it. Keyboard shortcuts keep working,
 * since a heading is not a text field. Stable identity: Preact calls it only on mount.
 */
import { useEffect, useRef } from 'preact/hooks';

export function focusOnMount(element: HTMLElement | null): void {
  element?.focus({ preventScroll: true });
}

/**
 * When the open item's detail closes (Esc, Back, Mark unread, the browser's back button, a delete
 * with nothing left to show), the focused heading goes with it and focus falls to <body>: a
 * keyboard user would start again from the skip link. Put focus back on the item's own row in the
 * list (`reveal` scrolls it into the rendered window), or on the main landmark when the row is gone.
 * Focus the user has moved elsewhere meanwhile is left alone.
 */
export function useFocusRowOnClose(
  openId: string | null,
  rowHref: (id: string) => string,
  reveal: (id: string) => void,
): void {
  const previous = useRef(openId);
  useEffect(() => {
    const closed = previous.current;
    previous.current = openId;
    if (closed === null || openId !== null) return;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    reveal(closed);
    // The row may only render once the list has handled its scroll.
    requestAnimationFrame(() => {
      const row = document.querySelector<HTMLElement>(`.list-pane a[href="${CSS.escape(rowHref(closed))}"]`);
      if (row === null) focusMain();
      else row.focus();
    });
  }, [openId]);
}

/** Focus for when the focused control is gone: the main landmark, so Tab goes on from the view. */
export function focusMain(): void {
  document.getElementById('main')?.focus({ preventScroll: true });
}

/** How many frames (about a second) rescueFocus() watches for focus falling to <body>. */
const RESCUE_FRAMES = 60;

/**
 * After a change that may remove or disable the focused control, puts focus on `target()` (else
 * the main landmark) whenever it falls to <body> within the next second. The control may go in a
 * later render than the change's own (a list updated by the server's answer, a dialog giving focus
 * back to a row on its way out), and the target itself may be disabled a render later, so one look
 * on the next frame is not enough. Focus the user moves elsewhere is left alone.
 */
export function rescueFocus(target: () => HTMLElement | null): void {
  let framesLeft = RESCUE_FRAMES;
  const look = (): void => {
    if (document.activeElement === null || document.activeElement === document.body) {
      (target() ?? document.getElementById('main'))?.focus({ preventScroll: true });
    }
    framesLeft -= 1;
    if (framesLeft > 0) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

/**
 * Runs a change that disables the controls meanwhile: a disabled button drops focus on <body>, so
 * it goes back to that button once enabled again, or to the main landmark if the change removed it.
 */
export async function keepingFocus(task: () => Promise<void>): Promise<void> {
  const before = document.activeElement;
  try {
    await task();
  } finally {
    rescueFocus(() => (before instanceof HTMLElement && before.isConnected ? before : null));
  }
}
