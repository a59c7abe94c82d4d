/**
 * A fixed-row-height virtual list: only the rows in view (plus a small overscan) are in the DOM, so
 * 100,000 messages scroll like 20. `onNearEnd` asks for the next cursor page before the user
 * reaches the bottom.
 */
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListHandle {
  scrollToIndex(index: number): void;
}

interface VirtualListProps {
  count: number;
  rowHeight: number;
  label: string;
  renderRow: (index: number) => ComponentChildren;
  /** Stable key per row (the item id), so a row keeps its DOM node and focus when items shift. */
  rowKey: (index: number) => string;
  onNearEnd?: () => void;
  handle?: Ref<VirtualListHandle>;
  footer?: ComponentChildren;
}

const OVERSCAN = 8;
const NEAR_END_ROWS = 30;

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, label, renderRow, rowKey, onNearEnd, handle, footer } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    setViewport(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  useImperativeHandle(handle ?? null, () => ({
    scrollToIndex(index: number) {
      const element = scroller.current;
      if (element === null || index < 0) return;
      const top = index * rowHeight;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + rowHeight > element.scrollTop + element.clientHeight)
        element.scrollTop = top + rowHeight - element.clientHeight;
    },
  }));

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (onNearEnd !== undefined && count > 0 && last >= count - NEAR_END_ROWS) onNearEnd();
  }, [last, count, onNearEnd]);

  const rows: ComponentChildren[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <li
        key={rowKey(index)}
        class="vrow"
        style={{ transform: `translateY(${index * rowHeight}px)`, height: `${rowHeight}px` }}
        aria-setsize={count}
        aria-posinset={index + 1}
      >
        {renderRow(index)}
      </li>,
    );
  }

  return (
    <div class="vlist" ref={scroller} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      <ul class="vlist-inner" aria-label={label} style={{ height: `${count * rowHeight}px` }}>
        {rows}
      </ul>
      {footer}
    </div>
  );
}
