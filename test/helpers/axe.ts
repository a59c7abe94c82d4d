/** axe-core (WCAG 2.1 A and AA rules) run inside a Chromium page of the web UI tests. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The violations on the page; the message's own HTML (the sandboxed preview) is not ours and is left out. */
export async function violations(page: Page): Promise<AxeViolation[]> {
  // Evaluated, as @axe-core/playwright does, rather than added as a script tag: addScriptTag fails
  // on any CSP report in the page, and the message preview reports its blocked remote image.
  await page.evaluate(AXE_SOURCE);
  // Page-side code as a string: this test is compiled without the DOM library.
  const result = (await page.evaluate(`axe.run(
    { exclude: [['iframe.preview-frame']] },
    { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
  )`)) as { violations: AxeViolation[] };
  return result.violations;
}

export function describeViolations(found: AxeViolation[]): string {
  return found
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    )
    .join('\n');
}
