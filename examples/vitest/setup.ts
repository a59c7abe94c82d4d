// Vitest setup file (vitest.config.ts: test.setupFiles): registers Mailport's matchers and types.
import { type MailportMatchers, mailportMatchers } from 'mailport';
import { expect } from 'vitest';

expect.extend(mailportMatchers);

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors Vitest's own declaration of Assertion<T = any>.
  interface Assertion<T = any> extends MailportMatchers<T> {}
}
