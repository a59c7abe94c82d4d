/**
 * Moves focus to a view's heading when the view appears (a message or session opened), so a
 * screen reader starts reading there and Tab continues inside it. Keyboard shortcuts keep working,
 * since a heading is not a text field. Stable identity: Preact calls it only on mount.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus({ preventScroll: true });
}
