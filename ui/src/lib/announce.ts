/** Polite screen-reader announcements (new mail, deletions) through one aria-live region. */
let region: HTMLElement | null = null;

export function setAnnouncer(element: HTMLElement | null): void {
  region = element;
}

export function announce(text: string): void {
  if (region === null) return;
  // Clearing first makes repeated identical messages be read again.
  region.textContent = '';
  const target = region;
  requestAnimationFrame(() => {
    target.textContent = text;
  });
}
