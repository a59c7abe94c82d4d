/**
 * The email-client families the HTML compatibility score covers: one checkbox per caniemail
 * family, with shortcuts for all of them and for none (to then pick a few). Every change re-runs
 * the checks with `?clients=`; an empty choice waits for a first family.
 */
import type { EmailClientFamily } from '../api/types.js';
import type { FamilyChoice } from '../lib/client-family-choice.js';

export function ClientFamilyFilter({
  families,
  choice,
  onChange,
}: {
  /** Every family there is to choose from (`htmlCompatibility.allClients`). */
  families: readonly EmailClientFamily[];
  choice: FamilyChoice;
  onChange: (choice: FamilyChoice) => void;
}) {
  const ids = families.map((family) => family.family);
  const chosen = new Set(choice ?? ids);
  const toggle = (id: string, on: boolean) => {
    const next = ids.filter((candidate) => (candidate === id ? on : chosen.has(candidate)));
    onChange(next.length === ids.length ? null : next);
  };
  return (
    // Left uncontrolled: the report re-renders on every change and must not fold it away.
    <details class="compat-filter">
      <summary>
        Choose client families{' '}
        <span class="muted small">
          ({chosen.size} of {ids.length})
        </span>
      </summary>
      <fieldset class="compat-filter-set" aria-describedby="compat-filter-hint">
        <legend>Client families to check the HTML against</legend>
        <ul class="compat-filter-options">
          {families.map((family) => (
            <li key={family.family}>
              <label class="compat-filter-option">
                <input
                  type="checkbox"
                  value={family.family}
                  checked={chosen.has(family.family)}
                  onChange={(event) => toggle(family.family, event.currentTarget.checked)}
                />
                {family.name}
              </label>
            </li>
          ))}
        </ul>
        <div class="compat-filter-actions">
          <button
            type="button"
            class="button button-small"
            disabled={choice === null}
            onClick={() => onChange(null)}
          >
            All families
          </button>
          <button
            type="button"
            class="button button-small"
            disabled={choice?.length === 0}
            onClick={() => onChange([])}
          >
            None
          </button>
        </div>
        <p id="compat-filter-hint" class="muted small" aria-live="polite">
          {choice?.length === 0
            ? 'Choose at least one family: the score below still covers the previous choice.'
            : 'Remembered for every message. Each family counts once in the score, whatever its number of platforms.'}
        </p>
      </fieldset>
    </details>
  );
}
