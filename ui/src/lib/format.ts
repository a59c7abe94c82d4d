/** Formatting helpers for dates, sizes and addresses, in the browser's locale. */
import type { AddressValue } from '../api/types.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const yearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const numberFormat = new Intl.NumberFormat();

/** List-style date: the time today, the day this year, the full date before. */
export function shortDate(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (date.toDateString() === now.toDateString()) return timeFormat.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayFormat.format(date);
  return yearFormat.format(date);
}

export function fullDate(iso: string): string {
  return fullFormat.format(new Date(iso));
}

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function addressLabel(address: AddressValue): string {
  return address.name.trim() !== '' ? address.name : address.address;
}

export function addressFull(address: AddressValue): string {
  return address.name.trim() !== '' ? `${address.name} <${address.address}>` : address.address;
}

/** Milliseconds since session start as `+1.234s`, aligned for transcripts. */
export function offset(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`;
}
