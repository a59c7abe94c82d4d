/** Keyboard shortcut plumbing: shortcuts never fire while the user types in a field. */
import { useEffect, useRef } from 'preact/hooks';

/** Inputs that take no text: a key pressed on a ticked checkbox (Delete after Space) is a shortcut. */
const UNTYPED_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color', 'range']);

export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (target === null) return false;
  if (target instanceof HTMLInputElement) return !UNTYPED_INPUTS.has(target.type);
  return target.isContentEditable || ['TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** A modal dialog is open: its own keys (Esc closes it, Tab cycles) must reach it untouched. */
function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

/** Calls `handler` for plain key presses (no ctrl/cmd/alt) outside text fields and dialogs. */
export function useShortcuts(handler: (event: KeyboardEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event) || dialogOpen()) return;
      latest.current(event);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

export const SHORTCUTS: ReadonlyArray<{ keys: string[]; action: string }> = [
  { keys: ['j'], action: 'Next message or session (in a list: next row)' },
  { keys: ['k'], action: 'Previous message or session (in a list: previous row)' },
  { keys: ['↓'], action: 'In a list: next row (Page Down: a page on, End: the last)' },
  { keys: ['↑'], action: 'In a list: previous row (Page Up: a page back, Home: the first)' },
  { keys: ['←'], action: "In a list: the row's checkbox (→: its link)" },
  { keys: ['Space'], action: 'In a list: tick or untick the row' },
  { keys: ['Enter'], action: 'In a list: open the row' },
  { keys: ['/'], action: 'Search messages' },
  {
    keys: ['Delete'],
    action: 'Delete the ticked messages, else the focused row, else the open message (also #)',
  },
  { keys: ['u'], action: 'Mark the open message unread / read' },
  { keys: ['r'], action: 'Release the open message to a real server (when the server has --release-server)' },
  { keys: ['Esc'], action: 'Close the message, clear focus' },
  { keys: ['g', 'i'], action: 'Go to Inbox' },
  { keys: ['g', 's'], action: 'Go to Sessions' },
  { keys: ['g', 'p'], action: 'Go to Setup' },
  { keys: ['g', 'c'], action: 'Go to Chaos rules' },
  { keys: ['?'], action: 'Show this help' },
];
