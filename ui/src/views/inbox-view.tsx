/**
 * Inbox: search, port filter, the virtualised message list and the open message side by side
 * (one at a time on phones). Live: new mail appears without reload and is announced.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { MessageSummary, ServerInfo } from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icon.js';
import { ProblemBanner } from '../components/problem-banner.js';
import { SearchBox } from '../components/search-box.js';
import { GridCell, VirtualList, type VirtualListHandle } from '../components/virtual-list.js';
import { announce } from '../lib/announce.js';
import { rescueFocus, useFocusRowOnClose } from '../lib/focus.js';
import { addressLabel, formatCount, shortDate } from '../lib/format.js';
import { useShortcuts } from '../lib/keys.js';
import { linkProps, navigate, parseRoute, routePath } from '../lib/router.js';
import { useMessageList } from '../lib/use-message-list.js';
import type { Problems } from '../lib/use-problems.js';
import { notifyReadStateChanged } from '../lib/use-unread-count.js';
import { MessageView } from './message-view.js';

const ROW_HEIGHT = 84;
const DELETE_CONCURRENCY = 6;
/** New mail is announced once the stream has been quiet this long. */
const ANNOUNCE_QUIET_MS = 400;

interface InboxViewProps {
  messageId: string | null;
  info: ServerInfo | null;
  problems: Problems;
  portFilter: number | null;
  onPortFilter: (port: number | null) => void;
}

type Confirm = { kind: 'selected' } | { kind: 'all' } | { kind: 'one'; message: MessageSummary } | null;

async function deleteEach(ids: string[]): Promise<void> {
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await api.deleteMessage(id);
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, queue.length) }, worker));
}

export function InboxView({ messageId, info, problems, portFilter, onPortFilter }: InboxViewProps) {
  const [search, setSearch] = useState('');
  const q = [portFilter === null ? '' : `port:${portFilter}`, search.trim()].filter(Boolean).join(' ');
  const list = useMessageList(q);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const listHandle = useRef<VirtualListHandle>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const selectAll = useRef<HTMLInputElement>(null);

  const activeIndex = useMemo(
    () => (messageId === null ? -1 : list.items.findIndex((message) => message.id === messageId)),
    [messageId, list.items],
  );

  useEffect(() => setSelected(new Set()), [q]);

  useFocusRowOnClose(
    messageId,
    (id) => routePath({ view: 'inbox', messageId: id }),
    (id) => listHandle.current?.scrollToIndex(list.items.findIndex((message) => message.id === id)),
  );

  // Another client (the CLI, a test) deleted the open message: close it. The URL, not this
  // render's props, says what is open now (a delete here may already have moved on).
  useEffect(
    () =>
      live.on('message.deleted', ({ ids }) => {
        const open = parseRoute(location.pathname);
        if (open.view === 'inbox' && open.messageId !== null && ids.includes(open.messageId))
          navigate({ view: 'inbox', messageId: null }, { replace: true });
      }),
    [],
  );

  // One announcement per burst: a screen reader should not read out a hundred subjects.
  useEffect(() => {
    let arrived: MessageSummary[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const speak = () => {
      const [only] = arrived;
      if (arrived.length === 1 && only !== undefined) {
        const from = only.from[0] === undefined ? only.envelopeFrom : addressLabel(only.from[0]);
        announce(`New message from ${from}: ${only.subject ?? '(no subject)'}`);
      } else announce(`${arrived.length} new messages`);
      arrived = [];
    };
    const off = live.on('message.received', ({ message }) => {
      arrived.push(message);
      clearTimeout(timer);
      timer = setTimeout(speak, ANNOUNCE_QUIET_MS);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, []);

  function open(index: number) {
    const message = list.items[index];
    if (message === undefined) return;
    navigate({ view: 'inbox', messageId: message.id }, { replace: messageId !== null });
    listHandle.current?.scrollToIndex(index);
  }

  async function remove(ids: string[]) {
    if (ids.length === 0) return;
    const nextOpen =
      messageId !== null && ids.includes(messageId) ? neighbourAfter(list.items, ids, messageId) : null;
    try {
      await deleteEach(ids);
      list.forget(ids);
      setSelected(new Set());
      announce(ids.length === 1 ? 'Message deleted' : `${ids.length} messages deleted`);
      if (messageId !== null && ids.includes(messageId))
        navigate({ view: 'inbox', messageId: nextOpen }, { replace: true });
    } catch (failure) {
      setNotice(`Delete failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
  }

  async function clearAll() {
    try {
      await api.deleteMessages(q);
      setSelected(new Set());
      announce(q === '' ? 'All messages deleted' : 'Matching messages deleted');
      if (messageId !== null) navigate({ view: 'inbox', messageId: null }, { replace: true });
      list.reload();
    } catch (failure) {
      setNotice(`Clear failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
  }

  /** The delete was asked for from a row in the list (Delete on it), not from the toolbar. */
  const askedFromList = useRef(false);

  function ask(question: NonNullable<Confirm>) {
    askedFromList.current = (listHandle.current?.focusedIndex() ?? -1) >= 0;
    setConfirm(question);
  }

  // The focused control (a row, the toolbar's Delete) goes with the messages and focus falls to
  // <body>: keep it where the delete was asked for, on the row now in the deleted one's place or in
  // the toolbar. The dialog may give focus back to the row only after the row is gone.
  function refocusAfterDelete() {
    rescueFocus(() => {
      if (askedFromList.current) return listHandle.current?.tabStop() ?? null;
      return selectAll.current?.disabled === false ? selectAll.current : null;
    });
  }

  function toggleRead(id: string, read: boolean) {
    list.setRead(id, read);
    api
      .setRead(id, read)
      .then(notifyReadStateChanged)
      .catch(() => list.setRead(id, !read));
  }

  useShortcuts((event) => {
    switch (event.key) {
      case 'j':
        open(activeIndex < 0 ? 0 : Math.min(list.items.length - 1, activeIndex + 1));
        break;
      case 'k':
        open(activeIndex < 0 ? 0 : Math.max(0, activeIndex - 1));
        break;
      case '/':
        searchInput.current?.focus();
        break;
      case 'Delete':
      case '#': {
        // With nothing ticked, Delete on a row in the list means that row, not the open message.
        const focused = list.items[listHandle.current?.focusedIndex() ?? -1];
        if (selected.size > 0) ask({ kind: 'selected' });
        else if (focused !== undefined) ask({ kind: 'one', message: focused });
        else if (messageId !== null) void remove([messageId]);
        else return;
        break;
      }
      case 'u': {
        const message = list.items[activeIndex];
        if (message === undefined) return;
        toggleRead(message.id, !message.read);
        break;
      }
      case 'Escape':
        if (messageId === null) return;
        navigate({ view: 'inbox', messageId: null });
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  const allSelected = list.items.length > 0 && list.items.every((message) => selected.has(message.id));
  const someSelected = selected.size > 0 && !allSelected;

  function toggle(id: string) {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const renderRow = (index: number) => {
    const message = list.items[index];
    if (message === undefined) return null;
    return (
      <MessageRow
        message={message}
        active={message.id === messageId}
        selected={selected.has(message.id)}
        fresh={list.fresh.has(message.id)}
        onToggle={() => toggle(message.id)}
      />
    );
  };

  return (
    <div class={messageId === null ? 'split' : 'split split-detail-open'}>
      <section class="pane list-pane" aria-labelledby="inbox-title">
        <header class="pane-head">
          <div class="pane-title-row">
            <h1 id="inbox-title" class="pane-title">
              Inbox
            </h1>
            <span class="count" aria-live="off">
              {formatCount(list.total)} {list.total === 1 ? 'message' : 'messages'}
            </span>
          </div>
          <SearchBox value={search} onChange={setSearch} inputRef={searchInput} />
          <div class="toolbar" role="toolbar" aria-label="Message actions">
            <label class="check" title="Select all loaded messages">
              <input
                ref={selectAll}
                type="checkbox"
                checked={allSelected}
                indeterminate={someSelected}
                disabled={list.items.length === 0}
                onChange={() =>
                  setSelected(allSelected ? new Set() : new Set(list.items.map((message) => message.id)))
                }
              />
              <span class="sr-only">Select all</span>
            </label>
            {selected.size > 0 ? (
              <>
                <span class="toolbar-text">{formatCount(selected.size)} selected</span>
                <button
                  type="button"
                  class="button button-small button-danger-quiet"
                  onClick={() => ask({ kind: 'selected' })}
                >
                  <Icon name="trash" size={16} />
                  Delete
                </button>
              </>
            ) : (
              <label class="select-label">
                <span class="sr-only">Listener</span>
                <select
                  value={portFilter === null ? '' : String(portFilter)}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    onPortFilter(value === '' ? null : Number(value));
                  }}
                >
                  <option value="">All ports</option>
                  {info?.listeners.map((listener) => (
                    <option key={listener.port} value={String(listener.port)}>
                      :{listener.port} {listener.profile}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <span class="toolbar-spacer" />
            <button
              type="button"
              class="button button-small button-quiet"
              disabled={list.total === 0}
              onClick={() => ask({ kind: 'all' })}
            >
              {q === '' ? 'Clear all' : 'Delete matching'}
            </button>
          </div>
        </header>

        <ProblemBanner problems={problems} />
        {notice !== null && (
          <div class="banner banner-error" role="alert">
            {notice}
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
              <Icon name="x" size={16} />
            </button>
          </div>
        )}
        {list.pendingNew > 0 && (
          <button type="button" class="new-pill" onClick={list.reload}>
            {list.pendingNew} new {list.pendingNew === 1 ? 'message' : 'messages'} · refresh results
          </button>
        )}
        {list.error !== null && (
          <div class="banner banner-error" role="alert">
            Could not load messages: {list.error}
          </div>
        )}

        {/* After a failed load the list is unknown, not empty: the error banner says so. */}
        {list.items.length === 0 && !list.loading && list.error === null ? (
          <EmptyInbox searching={q !== ''} info={info} />
        ) : (
          <VirtualList
            count={list.items.length}
            rowHeight={ROW_HEIGHT}
            label="Messages"
            rowKey={(index) => list.items[index]?.id ?? String(index)}
            renderRow={renderRow}
            activeKey={messageId}
            onOpen={open}
            selection={{
              isSelected: (index) => selected.has(list.items[index]?.id ?? ''),
              toggle: (index) => {
                const message = list.items[index];
                if (message !== undefined) toggle(message.id);
              },
            }}
            onNearEnd={list.loadMore}
            handle={listHandle}
            footer={
              list.items.length < list.total ? (
                <div class="list-foot">
                  {list.loading
                    ? 'Loading…'
                    : `${formatCount(list.items.length)} of ${formatCount(list.total)}`}
                </div>
              ) : null
            }
          />
        )}
      </section>

      <section class="pane detail-pane" aria-label="Message">
        {messageId === null ? (
          <div class="placeholder">
            <Icon name="mailOpen" size={40} />
            <p>Select a message to read it.</p>
            <p class="muted small">
              <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>?</kbd> for all shortcuts
            </p>
          </div>
        ) : (
          <MessageView
            key={messageId}
            id={messageId}
            release={info?.release ?? null}
            onMarkedRead={(read) => list.setRead(messageId, read)}
            onDelete={() => void remove([messageId])}
          />
        )}
      </section>

      <ConfirmDialog
        open={confirm !== null}
        {...confirmText(confirm ?? { kind: 'all' }, selected.size, q, list.total)}
        confirmLabel="Delete"
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm === null) return;
          setConfirm(null);
          const done =
            confirm.kind === 'one'
              ? remove([confirm.message.id])
              : confirm.kind === 'selected'
                ? remove([...selected])
                : clearAll();
          void done.then(refocusAfterDelete);
        }}
      />
    </div>
  );
}

/** What the delete dialog asks about the messages about to go. */
function confirmText(
  confirm: NonNullable<Confirm>,
  selectedCount: number,
  q: string,
  total: number,
): { title: string; body: string } {
  switch (confirm.kind) {
    case 'one':
      return {
        title: `Delete “${confirm.message.subject ?? '(no subject)'}”?`,
        body: 'The message is removed from the store. This cannot be undone.',
      };
    case 'selected':
      return {
        title: `Delete ${selectedCount} selected?`,
        body: 'The selected messages are removed from the store. This cannot be undone.',
      };
    case 'all':
      return q === ''
        ? {
            title: 'Delete every message?',
            body: `All ${formatCount(total)} messages are removed from the store. Sessions are kept. This cannot be undone.`,
          }
        : {
            title: 'Delete matching messages?',
            body: `The ${formatCount(total)} messages matching “${q}” are removed. This cannot be undone.`,
          };
  }
}

/** The message that takes the deleted one's place: the next older, else the next newer. */
function neighbourAfter(items: MessageSummary[], deleted: string[], current: string): string | null {
  const gone = new Set(deleted);
  const index = items.findIndex((message) => message.id === current);
  for (let i = index + 1; i < items.length; i++)
    if (!gone.has(items[i]?.id ?? '')) return items[i]?.id ?? null;
  for (let i = index - 1; i >= 0; i--) if (!gone.has(items[i]?.id ?? '')) return items[i]?.id ?? null;
  return null;
}

interface MessageRowProps {
  message: MessageSummary;
  active: boolean;
  selected: boolean;
  fresh: boolean;
  onToggle: () => void;
}

function MessageRow({ message, active, selected, fresh, onToggle }: MessageRowProps) {
  const sender =
    message.from[0] === undefined ? message.envelopeFrom || '(no sender)' : addressLabel(message.from[0]);
  const subject = message.subject ?? '(no subject)';
  return (
    <div
      class={`row${message.read ? '' : ' row-unread'}${active ? ' row-active' : ''}${selected ? ' row-selected' : ''}${fresh ? ' row-fresh' : ''}`}
    >
      <GridCell class="row-check-cell">
        <label class="check row-check">
          <input type="checkbox" checked={selected} onChange={onToggle} />
          <span class="sr-only">Select “{subject}”</span>
        </label>
      </GridCell>
      <GridCell class="row-cell">
        <a
          class="row-link"
          aria-current={active ? 'true' : undefined}
          {...linkProps({ view: 'inbox', messageId: message.id })}
        >
          <span class="row-top">
            {/* The dot is for the eye; the subject line says "(unread)" to screen readers. */}
            {!message.read && <span class="unread-dot" title="Unread" aria-hidden="true" />}
            <span class="row-from">{sender}</span>
            <span
              class="row-port"
              title={`Received on port ${message.listener.port} (${message.listener.profile})`}
            >
              :{message.listener.port}
            </span>
            <time class="row-date" dateTime={message.receivedAt}>
              {shortDate(message.receivedAt)}
            </time>
          </span>
          <span class="row-subject">
            {message.attachmentCount > 0 && (
              <span class="row-attach" title={attachmentsLabel(message.attachmentCount)}>
                <Icon name="paperclip" size={14} />
              </span>
            )}
            {subject}
            {!message.read && <span class="sr-only"> (unread)</span>}
            {message.attachmentCount > 0 && (
              <span class="sr-only"> ({attachmentsLabel(message.attachmentCount)})</span>
            )}
          </span>
          <span class="row-snippet">{message.snippet}</span>
        </a>
      </GridCell>
    </div>
  );
}

function attachmentsLabel(count: number): string {
  return `${count} ${count === 1 ? 'attachment' : 'attachments'}`;
}

function EmptyInbox({ searching, info }: { searching: boolean; info: ServerInfo | null }) {
  if (searching)
    return (
      <div class="placeholder">
        <Icon name="search" size={36} />
        <p>No messages match this search.</p>
      </div>
    );
  const submission =
    info?.listeners.find((listener) => listener.profile === 'submission') ?? info?.listeners[0];
  return (
    <div class="placeholder">
      <Icon name="inbox" size={40} />
      <p>No mail yet.</p>
      {submission !== undefined && (
        <p class="muted small">
          Point your app at{' '}
          <code>
            {submission.host}:{submission.port}
          </code>{' '}
          and it shows up here instantly.
        </p>
      )}
      <a class="button button-primary" {...linkProps({ view: 'setup' })}>
        Connection settings
      </a>
    </div>
  );
}
