/**
 * `mailport chaos list|add|remove|clear`: the chaos rules of a running `mailport serve`, changed
 * from a shell or a CI step without writing JSON (README, section Chaos). Rules are written as
 * `serve --chaos` takes them; every change goes through `PUT /api/v1/chaos` as the web UI's does.
 */
import type { Command } from 'commander';
import { keptRules, withRulesAdded } from '../../chaos/rule-list.js';
import type { ChaosRuleStatus } from '../../chaos/rules.js';
import { CHAOS_SYNTAX_EXAMPLE, formatChaosRule, parseChaosRuleTexts } from '../../chaos/syntax.js';
import { MailportError } from '../../errors.js';
import { type CliIo, clientFor, ensureApiOption, formatTable, printJson, processIo } from '../output.js';

const EXAMPLES = `
Examples:
  $ mailport chaos add 'rcpt:451,match=*@flaky.test,times=2'   # fails twice, then accepts
  $ mailport chaos add 'message:554/5.7.1,p=0.1' 'connect:delay=10s,profile=submission'
  $ mailport chaos list
  $ mailport chaos remove chaos-1
  $ mailport chaos clear
  $ mailport --api http://sandbox.internal:8025 chaos list --json

A rule is STAGE:ACTION[,OPTION=VALUE...], as \`mailport serve --chaos\` takes it (README.md, section
Chaos). The rules live in the sandbox's memory: a restart starts again from its --chaos rules.
Adding or removing a rule restarts the counters: a rule with times= keeps the firings it had left.`;

export function registerChaosCommand(program: Command, io: CliIo = processIo): void {
  ensureApiOption(program);
  const chaos = program
    .command('chaos')
    .description(
      'List, add and remove the chaos rules of a running `mailport serve` (make an SMTP stage fail on purpose).',
    )
    .addHelpText('after', EXAMPLES);

  chaos
    .command('list')
    .description('List the rules in force, with how often each fired.')
    .option('--json', 'print the rules as JSON ({ rules: [...] }, as GET /api/v1/chaos)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: { json?: boolean }, command: Command) => {
      const rules = await clientFor(command).getChaos();
      printRules(io, rules, options.json);
    });

  chaos
    .command('add')
    .description('Add rules after those in force.')
    .argument('<rule...>', `rules as serve --chaos takes them, e.g. '${CHAOS_SYNTAX_EXAMPLE}'`)
    .option('--json', 'print the rules in force afterwards as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (texts: string[], options: { json?: boolean }, command: Command) => {
      // A mistake is named before anything is asked of the sandbox.
      const added = parseChaosRuleTexts(
        texts.map((text) => text.trim()),
        { flag: 'mailport chaos add', reference: 'README.md, section Chaos,' },
      );
      const client = clientFor(command);
      const kept = keptRules(await client.getChaos());
      const taken = added.filter((rule) => kept.some((other) => other.id === rule.id)).map((rule) => rule.id);
      if (taken.length > 0) {
        throw new MailportError('MP_ERR_USAGE', `A chaos rule ${taken.join(', ')} is already in force.`, {
          hint: `Give the new rule another id=, or remove the old one first: mailport chaos remove ${taken.join(' ')}. Nothing was added.`,
        });
      }
      printRules(io, await client.setChaos(withRulesAdded(kept, added)), options.json);
    });

  chaos
    .command('remove')
    .description('Remove rules by id, as `mailport chaos list` prints them.')
    .argument('<id...>', 'rule ids (chaos-1, or the id= a rule was given)')
    .option('--json', 'print the rules in force afterwards as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      const client = clientFor(command);
      const current = await client.getChaos();
      const unknown = ids.filter((id) => !current.some((rule) => rule.id === id));
      if (unknown.length > 0) {
        throw new MailportError(
          'MP_ERR_NOT_FOUND',
          `No chaos rule ${unknown.join(', ')} is in force${current.length === 0 ? ' (there are none)' : ` (the rules are ${current.map((rule) => rule.id).join(', ')})`}.`,
          { hint: 'Give the ids `mailport chaos list` prints; nothing was removed.' },
        );
      }
      const remaining = keptRules(current.filter((rule) => !ids.includes(rule.id)));
      printRules(io, await client.setChaos(remaining), options.json);
    });

  chaos
    .command('clear')
    .description('Remove every rule; prints them with their final counters.')
    .option('--json', 'print the removed rules as JSON ({ rules: [...] })')
    .addHelpText('after', EXAMPLES)
    .action(async (options: { json?: boolean }, command: Command) => {
      const removed = await clientFor(command).clearChaos();
      if (options.json) printJson(io, { rules: removed });
      else if (removed.length === 0) io.out('No chaos rules were in force.\n');
      else io.out(`Removed:\n${formatRules(removed)}`);
    });
}

function printRules(io: CliIo, rules: readonly ChaosRuleStatus[], json: boolean | undefined): void {
  if (json) printJson(io, { rules });
  else if (rules.length === 0)
    io.out('No chaos rules in force: the sandbox answers as it would without them.\n');
  else io.out(formatRules(rules));
}

/** One line per rule, in the order they are tried: the first that fires wins. */
function formatRules(rules: readonly ChaosRuleStatus[]): string {
  return formatTable(
    [{ header: 'ID' }, { header: 'RULE', maxWidth: 80 }, { header: 'FIRED' }, { header: 'LEFT' }],
    rules.map((rule) => [
      rule.id,
      formatChaosRule(rule),
      String(rule.fired),
      rule.remaining === null ? '-' : String(rule.remaining),
    ]),
  );
}
