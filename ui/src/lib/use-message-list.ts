/**
 * The inbox's data: cursor-paged messages for a query, kept live from the event stream.
 * Pages are appended as the list scrolls; nothing but the loaded rows is kept in memory.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { MessageSummary } from '../api/types.js';
import { usePagedList } from './use-paged-list.js';

const FIRST_PAGE = 100;
/** How long a message that arrived live stays highlighted. */
const FRESH_MS = 4000;
const NEXT_PAGE = 250;

export interface MessageList {
  items: MessageSummary[];
  total: number;
  loading: boolean;
  error: string | null;
  /** New messages that arrived while a search was active and may or may not match it. */
  pendingNew: number;
  /** Ids of messages that arrived live in the last few seconds (highlighted in the list). */
  fresh: ReadonlySet<string>;
  reload(): void;
  loadMore(): void;
  /** Forgets messages locally (after a delete, or when the server reports one). */
  forget(ids: readonly string[]): void;
  setRead(id: string, read: boolean): void;
}

/** `port:N` is the only query the UI can evaluate itself; anything else asks the server again. */
function matchesLocally(q: string, message: MessageSummary): boolean | null {
  const trimmed = q.trim();
  if (trimmed === '') return true;
  const port = /^port:(\d+)$/.exec(trimmed);
  if (port !== null) return message.listener.port === Number(port[1]);
  return null;
}

export function useMessageList(q: string): MessageList {
  const [pendingNew, setPendingNew] = useState(0);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const load = useCallback(
    (first: boolean, cursor: string | null) =>
      api.listMessages({ q, limit: first ? FIRST_PAGE : NEXT_PAGE, cursor }),
    [q],
  );
  const { items, setItems, total, setTotal, loading, error, fetchPage } = usePagedList(load, () =>
    setPendingNew(0),
  );

  useEffect(() => {
    // A burst of mail (a load test, a batch job) becomes one render per frame, not one per message.
    let arrived: MessageSummary[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = arrived;
      arrived = [];
      const ids = new Set(batch.map((message) => message.id));
      setItems((previous) => {
        const known = new Set(previous.map((item) => item.id));
        const added = batch.filter((message) => !known.has(message.id)).reverse();
        if (added.length === 0) return previous;
        setTotal((count) => count + added.length);
        return [...added, ...previous];
      });
      setFresh((previous) => new Set([...previous, ...ids]));
      setTimeout(
        () =>
          setFresh((previous) => {
            const next = new Set(previous);
            for (const id of ids) next.delete(id);
            return next;
          }),
        FRESH_MS,
      );
    };
    const offReceived = live.on('message.received', ({ message }) => {
      const match = matchesLocally(q, message);
      if (match === null) {
        setPendingNew((count) => count + 1);
        return;
      }
      if (!match) return;
      arrived.push(message);
      if (frame === 0) frame = requestAnimationFrame(flush);
    });
    const offDeleted = live.on('message.deleted', ({ ids }) => forgetIds(ids));
    const offReconnect = live.onReconnect(() => void fetchPage(true));
    return () => {
      cancelAnimationFrame(frame);
      offReceived();
      offDeleted();
      offReconnect();
    };
  }, [q, fetchPage]);

  function forgetIds(ids: readonly string[]) {
    const gone = new Set(ids);
    setItems((previous) => {
      const next = previous.filter((message) => !gone.has(message.id));
      const removed = previous.length - next.length;
      if (removed > 0) setTotal((count) => Math.max(0, count - removed));
      return next;
    });
  }

  return {
    items,
    total,
    loading,
    error,
    pendingNew,
    fresh,
    reload: () => void fetchPage(true),
    loadMore: () => void fetchPage(false),
    forget: forgetIds,
    setRead: (id, read) =>
      setItems((previous) => previous.map((message) => (message.id === id ? { ...message, read } : message))),
  };
}
