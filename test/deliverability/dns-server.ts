/**
 * A real DNS server for the tests: UDP on 127.0.0.1 and an ephemeral port, answering TXT
 * questions from a table (NXDOMAIN for unknown names), failing every one at once (`servfail`), or
 * never answering at all (`silent`).
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export interface TestDnsServer {
  /** `127.0.0.1:PORT`, as `--dns-server` takes it. */
  server: string;
  /** Every question received, as `NAME TYPE`. */
  questions: string[];
  /** Adds or replaces the TXT strings of a name. */
  setTxt(name: string, value: string): void;
  close(): Promise<void>;
}

/** RCODE 2 (RFC 1035 §4.1.1): the server could not answer, e.g. its upstream is down. */
const SERVFAIL = 2;
/** RCODE 3 (RFC 1035 §4.1.1): the name does not exist. */
const NXDOMAIN = 3;

export async function startDnsServer(
  txt: Record<string, string> = {},
  options: { silent?: boolean; servfail?: boolean } = {},
): Promise<TestDnsServer> {
  const records = new Map(Object.entries(txt).map(([name, value]) => [name.toLowerCase(), value]));
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const [question] = query.questions ?? [];
    if (question === undefined) return;
    questions.push(`${question.name} ${question.type}`);
    if (options.silent) return;
    const value = options.servfail ? undefined : records.get(question.name.toLowerCase());
    const answers =
      value !== undefined && question.type === 'TXT'
        ? [{ type: 'TXT' as const, name: question.name, ttl: 60, class: 'IN' as const, data: chunks(value) }]
        : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: options.servfail
        ? SERVFAIL
        : dnsPacket.AUTHORITATIVE_ANSWER | (value === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    server: `127.0.0.1:${port}`,
    questions,
    setTxt: (name, value) => records.set(name.toLowerCase(), value),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A TXT record is a list of strings of at most 255 octets each (RFC 1035 §3.3.14); long keys span several. */
function chunks(value: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < value.length; start += 255) parts.push(value.slice(start, start + 255));
  return parts;
}
