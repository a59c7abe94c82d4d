export { CAUSE_IDS, type CauseId, type Explanation, isCauseId } from './causes.js';
export {
  describeError,
  explainError,
  explainText,
  explanationFor,
  matchRules,
  portContext,
} from './matcher.js';
export { CAUSES, type ExplainRule, RULES } from './rules.js';
