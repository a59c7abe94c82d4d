/**
 * `/api/v1/chaos` through the typed client and plain fetch: the GET/PUT/DELETE round trip with
 * counters, rules set over HTTP acting on SMTP, and 400 problems that name the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { ChaosRuleError } from '../../src/chaos/rules.js';
import { MailportApiError } from '../../src/client/api-client.js';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ chaos: ['mail:451,match=*@flaky.test,times=1,id=flaky-sender'] });
});
after(async () => {
  await sandbox.stop();
});

async function putRules(
  body: unknown,
): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.apiUrl}/api/v1/chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('chaos API', () => {
  it('startSandbox({ chaos }) rules are in force and counted; GET, PUT and DELETE round-trip', async () => {
    const transport = nodemailer.createTransport(sandbox.transportOptions('relay'));
    await assert.rejects(
      transport.sendMail({ from: 'app@flaky.test', to: 'a@example.com', subject: 'api', text: 'x' }),
      (error: { responseCode?: number }) => error.responseCode === 451,
    );
    await transport.sendMail({ from: 'app@flaky.test', to: 'a@example.com', subject: 'api', text: 'x' });
    transport.close();
    const [initial] = await sandbox.client.getChaos();
    assert.equal(initial?.id, 'flaky-sender');
    assert.equal(initial?.fired, 1);
    assert.equal(initial?.remaining, 0);

    const set = await sandbox.client.setChaos([
      'rcpt:452,times=3',
      { stage: 'connect', action: { type: 'delay', delayMs: 2500 }, profile: 'submission', probability: 0.5 },
      { id: 'drop', stage: 'data', action: { type: 'disconnect' } },
    ]);
    assert.deepEqual(set, [
      {
        id: 'chaos-1',
        stage: 'rcpt',
        action: {
          type: 'reply',
          code: 452,
          enhancedCode: '4.5.3',
          text: 'Temporary failure injected on purpose by Mailport chaos rule chaos-1 (stage rcpt)',
        },
        probability: 1,
        times: 3,
        fired: 0,
        remaining: 3,
      },
      {
        id: 'chaos-2',
        stage: 'connect',
        action: { type: 'delay', delayMs: 2500 },
        probability: 0.5,
        profile: 'submission',
        fired: 0,
        remaining: null,
      },
      {
        id: 'drop',
        stage: 'data',
        action: { type: 'disconnect' },
        probability: 1,
        fired: 0,
        remaining: null,
      },
    ]);
    assert.deepEqual(await sandbox.client.getChaos(), set);
    assert.deepEqual(await sandbox.client.clearChaos(), set);
    assert.deepEqual(await sandbox.client.getChaos(), []);
  });

  it('a bad body gets a 400 problem naming the field, and the rules in force stay as they were', async () => {
    await sandbox.client.setChaos(['message:554']);
    const mismatch = await putRules({
      rules: [{ stage: 'rcpt', action: { type: 'reply', code: 451, enhancedCode: '5.1.1' } }],
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.type, /^application\/problem\+json/);
    assert.match(
      String(mismatch.json.detail),
      /^Invalid request body: `rules\.0\.action\.enhancedCode` the enhanced code 5\.1\.1 must have the class of the reply code 451/,
    );
    assert.deepEqual(mismatch.json.errors, [
      {
        location: 'body',
        path: '/rules/0/action/enhancedCode',
        message:
          'the enhanced code 5.1.1 must have the class of the reply code 451 (RFC 3463 §2): 4.x.x, e.g. 4.3.0.',
      },
    ]);

    const typo = await putRules({
      rules: [{ stage: 'rcpt', action: { type: 'reply', code: 451 }, time: 2 }],
    });
    assert.equal(typo.status, 400);
    assert.match(String(typo.json.detail), /`rules\.0\.time` unknown field "time"/);

    const outOfRange = await putRules({
      rules: [{ stage: 'rcpt', action: { type: 'delay', delayMs: 3_600_000 } }],
    });
    assert.equal(outOfRange.status, 400);
    assert.match(String(outOfRange.json.detail), /rules\.0\.action/);

    const unknownStage = await putRules({ rules: [{ stage: 'greeting', action: { type: 'disconnect' } }] });
    assert.equal(unknownStage.status, 400);
    assert.match(String(unknownStage.json.detail), /`rules\.0\.stage`/);

    const noRules = await putRules({});
    assert.equal(noRules.status, 400);

    // An action of no known form: the types there are, once (not an error per form).
    const formless = await putRules({ rules: [{ stage: 'rcpt', action: { reply: 452 } }] });
    assert.equal(formless.status, 400);
    assert.equal(
      formless.json.detail,
      'Invalid request body: `rules.0.action.type` must be one of: reply, delay, disconnect.',
    );
    // An action whose type names its form: only that form's mistakes, not the other forms' fields.
    for (const [action, detail] of [
      [
        { type: 'reply', code: 451, enhancedCode: 'x' },
        'Invalid request body: `rules.0.action.enhancedCode` is not in the form this field takes (RFC 3463 enhanced status code of the same class as `code` (4.x.x for 4xx)).',
      ],
      [{ type: 'delay' }, "Invalid request body: `rules.0.action` must have required property 'delayMs'."],
      [{ type: 'reply', code: 999 }, 'Invalid request body: `rules.0.action.code` must be <= 599.'],
    ] as const) {
      const wrong = await putRules({ rules: [{ stage: 'rcpt', action }] });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json.detail, detail);
    }

    assert.deepEqual(
      (await sandbox.client.getChaos()).map((r) => r.stage),
      ['message'],
    );
  });

  it('client= round-trips through PUT and GET, and a bad network gets a 400 naming `client` with an example', async () => {
    const set = await sandbox.client.setChaos([
      'connect:421,client=10.0.0.0/8',
      { stage: 'rcpt', action: { type: 'reply', code: 451 }, client: 'fd00::/8' },
    ]);
    assert.deepEqual(
      set.map((rule) => rule.client),
      ['10.0.0.0/8', 'fd00::/8'],
    );
    assert.deepEqual(
      (await sandbox.client.getChaos()).map((rule) => rule.client),
      ['10.0.0.0/8', 'fd00::/8'],
    );

    const badNetwork = await putRules({
      rules: [{ stage: 'connect', action: { type: 'disconnect' }, client: '10.0.0.0/33' }],
    });
    assert.equal(badNetwork.status, 400);
    assert.deepEqual(badNetwork.json.errors, [
      {
        location: 'body',
        path: '/rules/0/client',
        message:
          'client must be an IPv4 or IPv6 address, or a network in CIDR notation (e.g. 10.0.0.0/8, 192.0.2.7 or fd00::/8), not "10.0.0.0/33".',
      },
    ]);
    const notText = await putRules({
      rules: [{ stage: 'connect', action: { type: 'disconnect' }, client: 10 }],
    });
    assert.equal(notText.status, 400);
    assert.match(String(notText.json.detail), /`rules\.0\.client`/);
    const tooLong = await putRules({
      rules: [{ stage: 'connect', action: { type: 'disconnect' }, client: `${'0:'.repeat(30)}0` }],
    });
    assert.equal(tooLong.status, 400);
    assert.match(String(tooLong.json.detail), /`rules\.0\.client`/);
    assert.deepEqual(
      (await sandbox.client.getChaos()).map((rule) => rule.client),
      ['10.0.0.0/8', 'fd00::/8'],
      'a refused PUT changes nothing',
    );

    // The typed client sends what it parsed; the server's validator answers, as for every field.
    await assert.rejects(sandbox.client.setChaos(['connect:421,client=localhost']), (error: unknown) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 400);
      assert.deepEqual(
        ((error.problem?.errors ?? []) as { path: string }[]).map((e) => e.path),
        ['/rules/0/client'],
      );
      return true;
    });
    await sandbox.client.clearChaos();
  });

  it('the client parses text rules before sending; its API errors carry the problem', async () => {
    await assert.rejects(sandbox.client.setChaos(['rcpt:451', 'rcpt:4xx']), (error: unknown) => {
      assert.ok(error instanceof ChaosRuleError);
      assert.equal(error.index, 1);
      return true;
    });
    await assert.rejects(
      sandbox.client.setChaos([
        { stage: 'rcpt', action: { type: 'reply', code: 550, enhancedCode: '4.1.1' } },
      ]),
      (error: unknown) => {
        assert.ok(error instanceof MailportApiError);
        assert.equal(error.status, 400);
        assert.deepEqual(
          ((error.problem?.errors ?? []) as { path: string }[]).map((e) => e.path),
          ['/rules/0/action/enhancedCode'],
        );
        return true;
      },
    );
  });

  it('startSandbox refuses an invalid rule with ChaosRuleError', async () => {
    await assert.rejects(startSandbox({ chaos: ['message:554/4.7.1'] }), ChaosRuleError);
  });

  it('the OpenAPI document describes the three operations', async () => {
    const document = (await (await fetch(`${sandbox.apiUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    const operations = document.paths['/api/v1/chaos'] ?? {};
    assert.deepEqual(
      Object.values(operations)
        .map((o) => o.operationId)
        .sort(),
      ['clearChaos', 'getChaos', 'setChaos'],
    );
    assert.ok(document.components.schemas.ChaosRuleInput);
    assert.ok(document.components.schemas.ChaosRuleStatus);
    for (const name of ['ChaosRuleInput', 'ChaosRuleStatus']) {
      const { properties } = document.components.schemas[name] as {
        properties: Record<string, { type: string; maxLength: number; examples: string[] }>;
      };
      assert.equal(properties.client?.type, 'string', name);
      assert.equal(properties.client?.maxLength, 49, name);
      assert.deepEqual(properties.client?.examples, ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'], name);
    }
  });
});
