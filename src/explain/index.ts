export { CAUSE_IDS, type CauseId, type Explanation, isCauseId } from './causes.js';
export {
  describeError,
  type ExplainOptions,
  explainError,
  explainText,
  explanationFor,
  matchRules,
  portContext,
  type RuleMatch,
} from './matcher.js';
export { CAUSES, type ExplainRule, RULES } from './rules.js';
