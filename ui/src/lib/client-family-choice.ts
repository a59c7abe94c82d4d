/**
 * The email-client families the user checks HTML compatibility against, remembered across
 * messages and reloads. `null` means every family caniemail knows (no `?clients=`).
 */

const STORAGE_KEY = 'mailport.compatFamilies';

export type FamilyChoice = readonly string[] | null;

export function loadFamilyChoice(): FamilyChoice {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (!Array.isArray(stored)) return null;
    const families = stored.filter((family): family is string => typeof family === 'string');
    return families.length === 0 ? null : families;
  } catch {
    // Storage blocked, or a value this version did not write: check every family.
    return null;
  }
}

/** An empty choice is not remembered: the next message is checked against every family. */
export function saveFamilyChoice(choice: FamilyChoice): void {
  try {
    if (choice === null || choice.length === 0) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Storage blocked (private mode): the choice lasts for this page only.
  }
}

/** The `clients` query parameter for a choice: bare family names, which the API expands to all their platforms. */
export function clientsParam(choice: FamilyChoice): string | undefined {
  return choice === null ? undefined : choice.join(',');
}
