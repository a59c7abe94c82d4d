/**
 * The search field. It sends the API's `q` syntax as typed (debounced) and shows the operators
 * while focused, so nobody has to look the syntax up. A `key:value` the search cannot use
 * (`after:zzz`) is searched as text, and said so under the field (the API's `queryNotes`).
 */
import type { Ref } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { parseSearchQuery } from '../../../src/search/query.js';
import { Icon } from './icon.js';

const DEBOUNCE_MS = 250;

const OPERATORS: ReadonlyArray<[string, string]> = [
  ['from:alice@example.com', 'sender contains'],
  ['to:bob', 'recipient contains'],
  ['subject:"reset password"', 'subject contains'],
  ['port:1587', 'received on a port'],
  ['has:attachment', 'with attachments'],
  ['is:unread', 'unread only'],
  ['inbox:team-a', 'one inbox (the AUTH user)'],
  ['after:2h', 'received in the last 2 h (s m h d w)'],
  ['before:2026-01-31', 'received before a date'],
  ['-from:noreply', 'leading - excludes'],
];

interface SearchBoxProps {
  value: string;
  onChange: (value: string) => void;
  inputRef: Ref<HTMLInputElement>;
}

export function SearchBox({ value, onChange, inputRef }: SearchBoxProps) {
  const [text, setText] = useState(value);
  const [showHint, setShowHint] = useState(false);
  const notes = useMemo(() => parseSearchQuery(value).notes, [value]);

  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChange(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <>
      <form
        class="search"
        aria-label="Search messages"
        onSubmit={(event) => {
          event.preventDefault();
          onChange(text);
        }}
        onFocusIn={() => setShowHint(true)}
        onFocusOut={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setShowHint(false);
        }}
      >
        <label for="search-input" class="sr-only">
          Search messages
        </label>
        <Icon name="search" size={16} />
        <input
          id="search-input"
          ref={inputRef}
          type="search"
          autoComplete="off"
          spellcheck={false}
          placeholder="Search mail"
          aria-describedby="search-hint"
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              if (text !== '') {
                setText('');
                onChange('');
              } else event.currentTarget.blur();
            }
          }}
        />
        {text === '' && (
          <span class="search-key" aria-hidden="true">
            <kbd>/</kbd>
          </span>
        )}
        <div id="search-hint" class={showHint ? 'search-hint search-hint-open' : 'search-hint'}>
          <p class="search-hint-title">Search syntax — terms are combined with AND</p>
          <ul>
            {OPERATORS.map(([example, meaning]) => (
              <li key={example}>
                <button
                  type="button"
                  class="hint-example"
                  tabIndex={-1}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => {
                    const next = `${text.trim()} ${example}`.trim();
                    setText(next);
                    onChange(next);
                  }}
                >
                  <code>{example}</code>
                </button>
                <span>{meaning}</span>
              </li>
            ))}
          </ul>
        </div>
      </form>
      {notes.length > 0 && (
        <ul class="search-notes" role="status">
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </>
  );
}
