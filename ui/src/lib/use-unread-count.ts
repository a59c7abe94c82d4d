/**
 * The number of unread messages for the Inbox badge. Recounted through the API (`is:unread`)
 * whenever mail arrives or is deleted, or the UI changes a message's read state.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { live } from '../api/live.js';

const RECOUNT_DELAY_MS = 300;
const readChangeListeners = new Set<() => void>();

/** Call after marking messages read or unread, so the badge follows. */
export function notifyReadStateChanged(): void {
  for (const listener of readChangeListeners) listener();
}

export function useUnreadCount(): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;
    const recount = () => {
      const mine = ++latest;
      api
        .listMessages({ q: 'is:unread', limit: 1 })
        .then((page) => {
          if (mine === latest) setCount(page.total);
        })
        .catch(() => {
          // A badge is a hint; the inbox itself reports API errors.
        });
    };
    // Bursts of mail cause one recount, not one per message.
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(recount, RECOUNT_DELAY_MS);
    };
    recount();
    readChangeListeners.add(schedule);
    const offReceived = live.on('message.received', schedule);
    const offDeleted = live.on('message.deleted', schedule);
    const offReconnect = live.onReconnect(schedule);
    return () => {
      offReconnect();
      clearTimeout(timer);
      readChangeListeners.delete(schedule);
      offReceived();
      offDeleted();
    };
  }, []);
  return count;
}
