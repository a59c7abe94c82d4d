/**
 * The CI recipe in docs/ci.md, run as written: the marked shell block goes to bash with `npx
 * mailport` pointing at this checkout. It starts `mailport serve --ephemeral` in the background,
 * waits for /healthz with curl, saves the CA, sends over the 587-style port with STARTTLS and
 * AUTH, gates with `mailport assert`, and stops the server. The GitHub Actions and GitLab CI
 * snippets must use the same commands.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoPath } from '../helpers/repo-paths.js';
import { CLI_ENTRY } from '../testing/fixtures/run-cli.js';
import { freePorts } from './free-ports.js';

const DOC = repoPath('docs', 'ci.md');

function recipeOf(markdown: string): string {
  const block = /<!-- ci-recipe:start -->\n```sh\n([\s\S]*?)```\n<!-- ci-recipe:end -->/.exec(markdown);
  assert.ok(block?.[1], 'docs/ci.md has no marked recipe block');
  return block[1];
}

/** The fenced YAML block under a `## heading` (the first one). */
function yamlUnder(markdown: string, heading: string): string {
  const section = markdown.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, `docs/ci.md has no YAML under "${heading}"`);
  return yaml;
}

describe('the CI recipe in docs/ci.md', () => {
  let markdown: string;
  let workDir: string;

  before(async () => {
    markdown = await readFile(DOC, 'utf8');
    workDir = await mkdtemp(join(tmpdir(), 'mailport-recipe-'));
  });
  after(() => rm(workDir, { recursive: true, force: true }));

  test('the GitHub Actions and GitLab CI snippets run the recipe commands', () => {
    const commands = recipeOf(markdown)
      .split('\n')
      .filter((line) => /^(npx mailport (serve|assert)|curl )/.test(line));
    assert.equal(commands.length, 4);
    for (const heading of ['GitHub Actions', 'GitLab CI']) {
      const yaml = yamlUnder(markdown, heading);
      for (const command of commands) assert.ok(yaml.includes(command), `${heading} lacks: ${command}`);
    }
  });

  test('runs locally: serve in the background, healthz, send, assert, stop', async () => {
    // `npx mailport` resolves to this checkout, as it does in a project that installed mailport.
    const shims = join(workDir, 'bin');
    await mkdir(shims);
    await writeFile(
      join(shims, 'npx'),
      `#!/bin/sh\nif [ "$1" = mailport ]; then shift; exec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${CLI_ENTRY}" "$@"; fi\necho "unexpected: npx $*" >&2\nexit 127\n`,
    );
    await chmod(join(shims, 'npx'), 0o755);
    const [http, relay, submissions, submission, alternate] = await freePorts(5);
    const env = {
      ...process.env,
      PATH: `${shims}:${process.env.PATH}`,
      MAILPORT_API: `http://127.0.0.1:${http}`,
      MAILPORT_SUBMISSION_PORT: String(submission),
      // Not in the recipe: keeps this run off the default ports other runs may hold.
      MAILPORT_HTTP_PORT: String(http),
      MAILPORT_RELAY_PORT: String(relay),
      MAILPORT_SUBMISSIONS_PORT: String(submissions),
      MAILPORT_ALT_PORT: String(alternate),
    };
    // Its own process group, so anything the script leaves behind on failure can be stopped.
    const shell = spawn('bash', ['-e', '-c', recipeOf(markdown)], {
      cwd: workDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    shell.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => shell.once('close', resolve));
    try {
      // Clean-up only: after a failed step the background server is still running.
      process.kill(-(shell.pid as number), 'SIGTERM');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    const log = await readFile(join(workDir, 'mailport.log'), 'utf8');
    assert.equal(code, 0, `${output}\n--- mailport.log ---\n${log}`);
    assert.match(output, /^\{"status":"ok"/m);
    assert.match(output, new RegExp(`Sent via port ${submission} \\(TLSv1\\.[23]\\)`));
    assert.match(output, /OK: 1 message\(s\) to "reset@example\.com", subject \/reset\/i arrived/);
    assert.match(
      output,
      new RegExp(`via submission port ${submission}, STARTTLS TLSv1\\.[23], AUTH PLAIN as mailport`),
    );
    assert.match(await readFile(join(workDir, 'mailport-ca.pem'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    // Step 5 stopped the server: its port is closed and its temporary data dir is gone.
    const dataDir = /TLS CA: +(\S+)\/tls\/ca\.pem/.exec(log)?.[1];
    assert.ok(dataDir, log);
    await assert.rejects(access(dataDir), { code: 'ENOENT' });
    await assert.rejects(fetch(`http://127.0.0.1:${http}/healthz`), /fetch failed/);
  });
});
