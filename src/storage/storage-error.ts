import { MailportError } from '../errors.js';

/** Wraps an engine error as MP_ERR_STORAGE, keeping the engine's reason in the message and as `cause`. */
export function storageError(message: string, cause: unknown): MailportError {
  const reason = cause instanceof Error ? ` ${cause.message}` : '';
  return new MailportError('MP_ERR_STORAGE', `${message}${reason}`, { cause });
}
