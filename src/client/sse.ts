/**
 * A reader for `text/event-stream` (WHATWG HTML §9.2.6), built on fetch's body stream because Node
 * 20 has no EventSource.
 */

export interface ServerSentEvent {
  id: string | null;
  /** `message` when the server named no event type. */
  event: string;
  data: string;
}

export async function* readServerSentEvents(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | null = null;
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    // Lines end in CRLF, LF or CR; a trailing CR may be the first half of a CRLF, so it waits.
    const lines = buffer.split(/\r\n|\n|\r(?=[^\n])/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) yield { id, event: event || 'message', data: data.join('\n') };
        data = [];
        event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  }
}
