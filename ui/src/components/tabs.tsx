/** WAI-ARIA tabs: arrow keys move between tabs, each tab controls one panel. */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabSpec<K extends string> {
  key: K;
  label: ComponentChildren;
}

interface TabsProps<K extends string> {
  id: string;
  label: string;
  tabs: TabSpec<K>[];
  active: K;
  onSelect: (key: K) => void;
  /** Wrap onto more lines instead of scrolling sideways (for many short tabs). */
  wrap?: boolean;
}

export function Tabs<K extends string>({ id, label, tabs, active, onSelect, wrap = false }: TabsProps<K>) {
  const list = useRef<HTMLDivElement>(null);
  const focusTab = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (tab === undefined) return;
    onSelect(tab.key);
    list.current?.querySelector<HTMLElement>(`#${id}-tab-${tab.key}`)?.focus();
  };
  return (
    <div
      class={wrap ? 'tabs tabs-wrap' : 'tabs'}
      role="tablist"
      aria-label={label}
      ref={list}
      onKeyDown={(event) => {
        const index = tabs.findIndex((tab) => tab.key === active);
        if (event.key === 'ArrowRight') focusTab(index + 1);
        else if (event.key === 'ArrowLeft') focusTab(index - 1);
        else if (event.key === 'Home') focusTab(0);
        else if (event.key === 'End') focusTab(tabs.length - 1);
        else return;
        event.preventDefault();
      }}
    >
      {tabs.map((tab) => (
        <button
          key={tab.key}
          type="button"
          role="tab"
          id={`${id}-tab-${tab.key}`}
          class="tab"
          aria-selected={tab.key === active}
          aria-controls={`${id}-panel`}
          tabIndex={tab.key === active ? 0 : -1}
          onClick={() => onSelect(tab.key)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
