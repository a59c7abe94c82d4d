import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerExplainCommand } from '../../src/cli/commands/explain.js';
import type { MailportError } from '../../src/errors.js';

async function explain(args: string[], stdinText = ''): Promise<string> {
  let output = '';
  const program = new Command().exitOverride();
  registerExplainCommand(
    program,
    {
      out: (text) => {
        output += String(text);
      },
    },
    Readable.from([stdinText]),
  );
  await program.parseAsync(['explain', ...args], { from: 'user' });
  return output;
}

test('--json prints exactly {cause, confidence, summary, fix, references}', async () => {
  const answer = JSON.parse(await explain(['--json', '535 5.7.8 Error: authentication failed']));
  assert.deepEqual(Object.keys(answer), ['cause', 'confidence', 'summary', 'fix', 'references']);
  assert.equal(answer.cause, 'auth-failed');
});

test('reads the text from stdin when no argument (or "-") is given', async () => {
  const stdin =
    'Traceback (most recent call last):\nssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)\n';
  assert.match(await explain([], stdin), /Cause: +implicit-tls-on-starttls-port/);
  assert.match(await explain(['-', '--json'], stdin), /"cause": "implicit-tls-on-starttls-port"/);
});

test('--port gives the context the text lacks', async () => {
  assert.match(await explain(['--port', '587', 'Greeting never received']), /Cause: +no-greeting/);
});

test('human output names the cause, how sure, the fix and the references', async () => {
  const output = await explain(['Error: connect ECONNREFUSED 127.0.0.1:587']);
  assert.match(output, /^Cause: +connection-refused +\(95% sure/m);
  assert.match(output, /^Fix: /m);
  assert.match(output, /^References: /m);
});

test('no text is a usage error', async () => {
  await assert.rejects(explain([], '  \n'), (error: MailportError) => error.code === 'MP_ERR_USAGE');
});

test('--json keeps its fields for binary and 1 MB input, and for text it cannot place', async () => {
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 31) % 256)).toString(
    'latin1',
  );
  const long = `${'    at Object.<anonymous> (/app/index.js:10:5)\n'.repeat(20_000)}Error: connect ECONNREFUSED 127.0.0.1:587`;
  for (const [stdin, cause] of [
    [binary, 'unknown'],
    [long, 'connection-refused'],
    ['the printer is on fire', 'unknown'],
  ] as const) {
    const answer = JSON.parse(await explain(['--json'], stdin));
    assert.deepEqual(Object.keys(answer), ['cause', 'confidence', 'summary', 'fix', 'references']);
    assert.equal(answer.cause, cause);
    assert.equal(typeof answer.confidence, 'number');
    assert.ok(answer.summary && answer.fix && answer.references.length > 0);
  }
});
