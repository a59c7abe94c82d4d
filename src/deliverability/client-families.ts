/**
 * How a family of email clients reads in a list, for the CLI and the web UI alike: the family
 * alone when every checked platform of it is concerned, else with the platforms that are.
 */
import type { EmailClientFamily, FamilySupport } from './types.js';

/** `Outlook (Windows, Windows Mail)`, or `Gmail` when all checked Gmail platforms are in the group. */
export function familyLabel(group: FamilySupport, checked: readonly EmailClientFamily[]): string {
  const platforms = checked.find((family) => family.family === group.family)?.platforms.length;
  return group.platforms.length === platforms
    ? group.name
    : `${group.name} (${group.platforms.map((platform) => platform.name).join(', ')})`;
}
