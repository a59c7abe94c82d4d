/**
 * A word shown only where there is room for it (its class hides it on narrow screens, where an icon
 * or a dot says the same) and read by screen readers at every width: the visible copy is hidden from
 * them and an always visually hidden copy (.sr-only, the one such rule in styles.css) speaks instead.
 */
export function RoomyText({ text, class: className }: { text: string; class: string }) {
  return (
    <>
      <span class={className} aria-hidden="true">
        {text}
      </span>
      <span class="sr-only">{text}</span>
    </>
  );
}
