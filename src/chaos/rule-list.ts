/**
 * Editing the rules in force through `PUT /api/v1/chaos`, which replaces them all and restarts
 * every counter: what the web UI's Chaos view and `mailport chaos` send to add or remove a rule.
 */
import type { ChaosRuleInput, ChaosRuleStatus } from './rules.js';

/**
 * The rules in force as a PUT body. A rule with `times` keeps only the firings it has left and a
 * spent one is left out: adding a rule must not revive an old one.
 */
export function keptRules(rules: readonly ChaosRuleStatus[]): ChaosRuleInput[] {
  return rules.flatMap(({ fired: _fired, remaining, ...rule }) =>
    remaining === 0 ? [] : [{ ...rule, ...(remaining === null ? {} : { times: remaining }) }],
  );
}

/** `kept` followed by `added`, each added rule without an id given a free `chaos-N`. */
export function withRulesAdded(
  kept: readonly ChaosRuleInput[],
  added: readonly ChaosRuleInput[],
): ChaosRuleInput[] {
  const rules = [...kept];
  for (const rule of added) rules.push({ ...rule, id: rule.id ?? freeId(rules, rules.length + 1) });
  return rules;
}

/**
 * `chaos-N` for a rule added without an id: N its position, as the server would number it, or the
 * next number no kept rule uses (after a removal, `chaos-2` may still be taken by the old second rule).
 */
function freeId(rules: readonly ChaosRuleInput[], position: number): string {
  const taken = new Set(rules.map((rule) => rule.id));
  let n = position;
  while (taken.has(`chaos-${n}`)) n++;
  return `chaos-${n}`;
}
