/**
 * A fixed-row-height virtual list: only the rows in view (plus a small overscan) are in the DOM, so
 * 100,000 messages scroll like 20. `onNearEnd` asks for the next cursor page before the user
 * reaches the bottom.
 *
 * For the keyboard it is an ARIA grid with a roving tabindex: the whole list is one Tab stop, and
 * the arrows (and j/k), Home/End and PageUp/PageDown move focus between rows, Left/Right between a
 * row's controls (its cells). The row holding the Tab stop is always rendered, even scrolled out of
 * view, so Shift+Tab comes back to it and a scroll never drops focus to <body>.
 */
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { rescueFocus } from '../lib/focus.js';

export interface VirtualListHandle {
  scrollToIndex(index: number): void;
  /** The index of the row holding focus, or -1 when focus is outside the list. */
  focusedIndex(): number;
  /** The control holding the list's Tab stop (null while there are no rows). */
  tabStop(): HTMLElement | null;
}

interface VirtualListProps {
  count: number;
  rowHeight: number;
  label: string;
  /** The row's cells: elements with role="gridcell", each holding one control (a link, a checkbox). */
  renderRow: (index: number) => ComponentChildren;
  /** Stable key per row (the item id), so a row keeps its DOM node and focus when items shift. */
  rowKey: (index: number) => string;
  /** The open item's key: the Tab stop follows it, so Shift+Tab from the open item lands on its row. */
  activeKey: string | null;
  /** Enter on a row's control other than its link (the link opens itself). */
  onOpen: (index: number) => void;
  /** Rows that can be ticked: Space ticks the focused one and the grid says which rows are ticked. */
  selection?: { isSelected: (index: number) => boolean; toggle: (index: number) => void };
  onNearEnd?: () => void;
  handle?: Ref<VirtualListHandle>;
  footer?: ComponentChildren;
}

const OVERSCAN = 8;
const NEAR_END_ROWS = 30;
const CONTROLS = 'a[href], input, button';

/** A row's controls in order; the Tab stop is one of them, the others are reached with Left/Right. */
function controlsOf(row: Element): HTMLElement[] {
  return Array.from(row.querySelectorAll<HTMLElement>(CONTROLS));
}

/** The control a row is entered on: its link (opening the item is the common act), else the first. */
function primaryColumn(controls: HTMLElement[]): number {
  return Math.max(
    0,
    controls.findIndex((control) => control instanceof HTMLAnchorElement),
  );
}

/** One cell of a row, holding one control: it takes the Tab stop when its row and column are current. */
export function GridCell({ class: className, children }: { class: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: a cell of a grid of absolutely placed rows; focus goes to its control.
    <div role="gridcell" class={className}>
      {children}
    </div>
  );
}

export function VirtualList(props: VirtualListProps) {
  const {
    count,
    rowHeight,
    label,
    renderRow,
    rowKey,
    activeKey,
    onOpen,
    selection,
    onNearEnd,
    handle,
    footer,
  } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  /** The row holding the Tab stop, by key so it survives rows arriving above it. */
  const [currentKey, setCurrentKey] = useState<string | null>(activeKey);
  /** Which of the row's controls holds the Tab stop; null: the row's primary one. */
  const column = useRef<number | null>(null);
  /** Where the current row was last seen: the fast path of finding it, and its place once it is gone. */
  const lastIndex = useRef(0);
  /** The last current key found among the rows: not finding it again means its row was removed. */
  const seenKey = useRef<string | null>(null);
  /** Focus is in the list, or was on a row that went (taking focus to <body> with it). */
  const holdsFocus = useRef(false);
  /** A key press moved the Tab stop: focus it once its row is rendered. */
  const focusPending = useRef(false);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    setViewport(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (activeKey !== null) setCurrentKey(activeKey);
  }, [activeKey]);

  function indexOfKey(key: string | null): number {
    if (key === null) return -1;
    if (rowKey(lastIndex.current) === key) return lastIndex.current;
    for (let index = 0; index < count; index++) if (rowKey(index) === key) return index;
    return -1;
  }

  const found = indexOfKey(currentKey);
  if (found >= 0) {
    lastIndex.current = found;
    seenKey.current = currentKey;
  }
  // Until the current row is loaded, or once it is gone (deleted here or elsewhere), the Tab stop
  // is on the row in its place.
  const currentIndex = found >= 0 ? found : count === 0 ? -1 : Math.min(lastIndex.current, count - 1);
  const currentRemoved = found < 0 && currentKey !== null && currentKey === seenKey.current;

  function scrollToIndex(index: number): void {
    const element = scroller.current;
    if (element === null || index < 0) return;
    const top = index * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + rowHeight - element.clientHeight;
  }

  function rowElement(index: number): HTMLElement | null {
    return grid.current?.querySelector<HTMLElement>(`[aria-rowindex="${index + 1}"]`) ?? null;
  }

  function tabStop(index: number): HTMLElement | null {
    const row = rowElement(index);
    if (row === null) return null;
    const controls = controlsOf(row);
    return controls[Math.min(column.current ?? primaryColumn(controls), controls.length - 1)] ?? null;
  }

  function rowIndexOf(element: Element | null): number {
    const row = element?.closest('[role="row"]');
    if (row === null || row === undefined || !grid.current?.contains(row)) return -1;
    return Number(row.getAttribute('aria-rowindex')) - 1;
  }

  useImperativeHandle(handle ?? null, () => ({
    scrollToIndex,
    focusedIndex: () => rowIndexOf(document.activeElement),
    tabStop: () => tabStop(currentIndex),
  }));

  /** One Tab stop: the current row's current control; every other control is reached by keys. */
  function syncTabStops(): HTMLElement | null {
    const stop = tabStop(currentIndex);
    for (const control of grid.current?.querySelectorAll<HTMLElement>(CONTROLS) ?? [])
      control.tabIndex = control === stop ? 0 : -1;
    return stop;
  }

  useLayoutEffect(() => {
    const stop = syncTabStops();
    if (focusPending.current) {
      focusPending.current = false;
      stop?.focus({ preventScroll: true });
    }
  });

  // The current row was removed: focus, if it was there, went with it to <body>; both go to the
  // row now in its place.
  useLayoutEffect(() => {
    if (!currentRemoved) return;
    const removed = currentKey;
    const successor = currentIndex < 0 ? null : rowKey(currentIndex);
    // Unless the open item moved on meanwhile (a delete opens the next one): the Tab stop follows that.
    setCurrentKey((key) => (key === removed ? successor : key));
    if (holdsFocus.current && currentIndex >= 0) rescueFocus(() => tabStop(lastIndex.current));
  }, [currentRemoved]);

  function moveTo(index: number): void {
    const target = Math.max(0, Math.min(count - 1, index));
    scrollToIndex(target);
    if (target === currentIndex) tabStop(target)?.focus({ preventScroll: true });
    else {
      focusPending.current = true;
      setCurrentKey(rowKey(target));
    }
  }

  function moveColumn(step: number, from: HTMLElement): void {
    const row = from.closest('[role="row"]');
    if (row === null) return;
    const controls = controlsOf(row);
    controls[controls.indexOf(from) + step]?.focus();
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.altKey || event.metaKey || (event.ctrlKey && event.key !== 'Home' && event.key !== 'End'))
      return;
    const target = event.target as HTMLElement;
    const index = rowIndexOf(target);
    if (index < 0) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
      case 'k':
        moveTo(index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(count - 1);
        break;
      case 'PageDown':
        moveTo(index + page);
        break;
      case 'PageUp':
        moveTo(index - page);
        break;
      case 'ArrowRight':
        moveColumn(1, target);
        break;
      case 'ArrowLeft':
        moveColumn(-1, target);
        break;
      case 'Enter':
        if (target instanceof HTMLAnchorElement) return;
        onOpen(index);
        break;
      case ' ':
        // A checkbox ticks itself.
        if (selection === undefined || target instanceof HTMLInputElement) return;
        selection.toggle(index);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  function onFocusIn(event: FocusEvent): void {
    holdsFocus.current = true;
    const target = event.target as HTMLElement;
    const index = rowIndexOf(target);
    if (index < 0) return;
    const row = rowElement(index);
    const controls = row === null ? [] : controlsOf(row);
    const at = controls.indexOf(target);
    column.current = at < 0 || at === primaryColumn(controls) ? null : at;
    const key = rowKey(index);
    if (key === currentKey) syncTabStops();
    else setCurrentKey(key);
  }

  function onFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next !== null) {
      if (!grid.current?.contains(next)) holdsFocus.current = false;
      return;
    }
    // Focus went nowhere: a click on blank space lets go of it; a removed row does not, the list
    // answers for where its focus goes (by then it has: its removal is handled in that render).
    const left = event.target as Element;
    requestAnimationFrame(() => {
      if (left.isConnected && !grid.current?.contains(document.activeElement)) holdsFocus.current = false;
    });
  }

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (onNearEnd !== undefined && count > 0 && last >= count - NEAR_END_ROWS) onNearEnd();
  }, [last, count, onNearEnd]);

  const renderAt = (index: number) => (
    // biome-ignore lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: rows are placed absolutely, which table layout cannot do; focus goes to the controls in their cells.
    <div
      key={rowKey(index)}
      role="row"
      class="vrow"
      style={{ transform: `translateY(${index * rowHeight}px)`, height: `${rowHeight}px` }}
      aria-rowindex={index + 1}
      aria-selected={selection?.isSelected(index)}
    >
      {renderRow(index)}
    </div>
  );

  const rows: ComponentChildren[] = [];
  if (currentIndex >= 0 && currentIndex < first) rows.push(renderAt(currentIndex));
  for (let index = first; index < last; index++) rows.push(renderAt(index));
  if (currentIndex >= last) rows.push(renderAt(currentIndex));

  return (
    <div class="vlist" ref={scroller} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      {/* biome-ignore lint/a11y/useSemanticElements: its rows are placed absolutely, which table layout cannot do. */}
      <div
        ref={grid}
        role="grid"
        class="vlist-inner"
        aria-label={label}
        aria-rowcount={count}
        aria-multiselectable={selection === undefined ? undefined : true}
        style={{ height: `${count * rowHeight}px` }}
        onKeyDown={onKeyDown}
        onFocusIn={onFocusIn}
        onFocusOut={onFocusOut}
      >
        {rows}
      </div>
      {footer}
    </div>
  );
}
