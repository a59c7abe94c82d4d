/**
 * Shared helpers of the API-facing CLI commands: the global `--api` option and its client, plain
 * text tables, and JSON output. Errors are thrown (MailportError with a hint) and printed by the
 * composition root, so every command fails the same way.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_API_URL, MailportClient } from '../client/api-client.js';
import type { AddressValue, SessionChaos } from '../domain/types.js';
import { localSandboxCa, readCaFile } from './ca-file.js';

/** Where command output goes; tests capture it. */
export interface CliIo {
  out(text: string | Uint8Array): void;
}

export const processIo: CliIo = {
  out: (text) => {
    process.stdout.write(text);
  },
};

export const API_ENV = 'MAILPORT_API';
export const API_CA_ENV = 'MAILPORT_API_CA';

/** Adds the global `--api URL` and `--api-ca FILE` options to the root program once, whichever command group asks first. */
export function ensureApiOption(program: Command): void {
  if (program.options.some((option) => option.long === '--api')) return;
  program.addOption(
    new Option(
      '--api <url>',
      'base URL of the Mailport HTTP API; with a login when it asks for one (serve --http-auth): http://USER:PASS@HOST:PORT, percent-encoded',
    )
      .env(API_ENV)
      .default(DEFAULT_API_URL),
  );
  program.addOption(
    new Option(
      '--api-ca <file>',
      'also trust this CA certificate (PEM) for an https:// --api (serve --http-tls); for a loopback host the CA of a sandbox started here (.mailport/tls/ca.pem) is trusted without it',
    ).env(API_CA_ENV),
  );
}

/** A client for the API named by `--api` (or MAILPORT_API), as seen from any subcommand. */
export function clientFor(command: Command): MailportClient {
  const { api = DEFAULT_API_URL, apiCa } = command.optsWithGlobals<{ api?: string; apiCa?: string }>();
  const caFile = apiCa ?? (api.startsWith('https:') ? localSandboxCa(hostOf(api)) : undefined);
  return new MailportClient(api, caFile === undefined ? {} : { ca: readCaFile(caFile, '--api-ca') });
}

/** The host of an API URL as `localSandboxCa` takes it; a URL that does not parse fails in the client. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Commander argument parser for `--limit N`. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 500) {
    throw new InvalidArgumentError('Give a whole number from 1 to 500.');
  }
  return number;
}

/** Commander argument parser for a message or session id: a blank one names no record. */
export function recordId(listCommand: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new InvalidArgumentError(`Give an id, as \`${listCommand}\` prints them.`);
    return value;
  };
}

export interface Column {
  header: string;
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
}

/** A plain text table: a header row, then one line per row, columns padded to their widest cell. */
export function formatTable(columns: readonly Column[], rows: readonly string[][]): string {
  const cells = rows.map((row) => row.map((cell, index) => truncate(cell, columns[index]?.maxWidth)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((column) => column.header)), ...cells.map(line)].join('\n')}\n`;
}

export function truncate(text: string, maxWidth: number | undefined): string {
  const flat = text.replace(/\s+/g, ' ');
  if (maxWidth === undefined || flat.length <= maxWidth) return flat;
  return `${flat.slice(0, Math.max(0, maxWidth - 1))}…`;
}

/** `2026-01-31 14:05:09`, in UTC so output does not depend on the machine's zone. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 19);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatAddresses(addresses: readonly AddressValue[]): string {
  return addresses
    .map((value) => (value.name ? `${value.name} <${value.address}>` : value.address))
    .join(', ');
}

/** What chaos rules did to a session: `chaos rule chaos-1 fired; the session failed on purpose...`. */
export function formatSessionChaos(chaos: SessionChaos): string {
  const rules = `${chaos.rules.length === 1 ? 'chaos rule' : 'chaos rules'} ${chaos.rules.join(', ')} fired`;
  return chaos.failedOnPurpose ? `${rules}; the session failed on purpose, not through the client` : rules;
}

/** `Label   value` lines with the values aligned; rows with a null value are left out. */
export function formatFields(fields: ReadonlyArray<readonly [string, string | null]>): string {
  const present = fields.filter((field): field is readonly [string, string] => field[1] !== null);
  const width = Math.max(...present.map(([label]) => label.length));
  return `${present.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
