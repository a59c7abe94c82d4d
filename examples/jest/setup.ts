// Jest setup file (jest.config: setupFilesAfterEnv: ['<rootDir>/setup.ts']): registers Mailport's matchers and types.
import { expect } from '@jest/globals';
import { type MailportMatchers, mailportMatchers } from 'mailport';

expect.extend(mailportMatchers);

declare module 'expect' {
  interface Matchers<R> extends MailportMatchers<R> {}
}
