/**
 * The HTML compatibility analyser on a real newsletter: an MJML-style template (test/fixtures/
 * newsletter-mjml.html) with ghost tables and a VML button in MSO conditional comments, `<style>`
 * in the head and the body, @media queries and !important, plus the value forms caniemail has no
 * feature of its own for (`inline-flex`, `inline-grid`, `column-reverse`, `wrap-reverse`).
 * Pure functions over caniemail's data: no sandbox needed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { selectClients } from '../../src/deliverability/caniemail.js';
import { checkHtmlCompatibility } from '../../src/deliverability/html-compatibility.js';
import { detectFeatures, type FeatureUse } from '../../src/deliverability/html-features.js';
import type { HtmlCompatibility, HtmlFeatureFinding } from '../../src/deliverability/types.js';
import { repoPath } from '../helpers/repo-paths.js';

const NEWSLETTER = readFileSync(repoPath('test', 'fixtures', 'newsletter-mjml.html'), 'utf8');

function uses(html: string): FeatureUse[] {
  return [...detectFeatures(html).values()];
}

function use(html: string, slug: string, variant: string | null = null): FeatureUse {
  const found = uses(html).find((candidate) => candidate.slug === slug && candidate.variant === variant);
  assert.ok(
    found,
    `${slug} ${variant ?? ''} in ${uses(html)
      .map((u) => `${u.slug}/${u.variant}`)
      .join(', ')}`,
  );
  return found;
}

function finding(section: HtmlCompatibility, title: string): HtmlFeatureFinding {
  const found = section.features.find((candidate) => candidate.title === title);
  assert.ok(found, `${title} in ${section.features.map((candidate) => candidate.title).join(', ')}`);
  return found;
}

function clientIds(groups: HtmlFeatureFinding['unsupported']): string[] {
  return groups.flatMap((group) => group.platforms.map((platform) => platform.client));
}

describe('HTML compatibility analyser on an MJML-style newsletter', () => {
  const section = checkHtmlCompatibility(NEWSLETTER, selectClients());

  test('display:inline-flex is display:flex’s data, with the clients whose notes rule inline-flex out', () => {
    const inline = finding(section, 'display:inline-flex');
    assert.equal(inline.slug, 'css-display-flex');
    assert.deepEqual(inline.where, ['<div style="display: inline-flex">']);
    // caniemail: Yahoo and AOL support display:flex ("y #2"), with note 2 "`display:inline-flex` is not supported".
    const none = clientIds(inline.unsupported);
    for (const client of ['yahoo.desktop-webmail', 'yahoo.ios', 'aol.android'])
      assert.ok(none.includes(client), client);
    const yahoo = inline.unsupported.find((group) => group.family === 'yahoo');
    assert.deepEqual(yahoo?.platforms[0]?.notes, ['display:inline-flex is not supported.']);
    assert.match(
      inline.note ?? '',
      /no feature of its own for display:inline-flex: these are its display:flex results/,
    );
    assert.match(inline.note ?? '', /Yahoo! Mail, AOL count as unsupported/);

    // The plain display:flex of the same message: Yahoo supports it, and it is its own finding.
    const flex = finding(section, 'display:flex');
    assert.equal(flex.note, null);
    assert.ok(!clientIds(flex.unsupported).some((client) => client.startsWith('yahoo.')));
    assert.ok(inline.support < flex.support, `inline-flex ${inline.support} vs flex ${flex.support}`);
  });

  test('inline-grid, column-reverse and wrap-reverse map to the closest feature and say so', () => {
    for (const [title, slug, base] of [
      ['display:inline-grid', 'css-display-grid', 'display:grid'],
      ['flex-direction:column-reverse', 'css-flex-direction', 'flex-direction:column'],
      ['flex-wrap:wrap-reverse', 'css-flex-wrap', 'flex-wrap: wrap'],
    ] as const) {
      const variant = finding(section, title);
      assert.equal(variant.slug, slug);
      assert.equal(
        variant.note,
        `caniemail has no feature of its own for ${title}: these are its ${base} results.`,
      );
    }
    // row-reverse is no form of flex-direction:column.
    assert.ok(
      !uses('<div style="flex-direction: row-reverse">a</div>').some((u) => u.slug === 'css-flex-direction'),
    );
  });

  test('the two-value `display: inline flex` is inline-flex too, `block flex` is flex', () => {
    assert.equal(
      use('<div style="display: inline flex">a</div>', 'css-display-flex', 'display:inline-flex').occurrences,
      1,
    );
    assert.equal(use('<div style="display: block flex">a</div>', 'css-display-flex').occurrences, 1);
  });

  test('display:none and display:flex are not also counted as the generic display feature', () => {
    // css-display's notes say Outlook on Windows "only supports display:none": counting the
    // preheader's display:none there too would call it partly unsupported by its own note.
    const display = use(NEWSLETTER, 'css-display');
    assert.deepEqual(display.where, [
      'p { display: block }',
      '<div style="display: inline-block">',
      '<a style="display: inline-block">',
    ]);
    assert.equal(use(NEWSLETTER, 'css-display-none').occurrences, 1);
    assert.ok(!uses('<div style="display: none !important">x</div>').some((u) => u.slug === 'css-display'));
  });

  test('a bulletproof button inside <!--[if !mso]><!-->: Outlook on Windows is not held against it', () => {
    const radius = finding(section, 'border-radius');
    const none = clientIds(radius.unsupported);
    assert.ok(!none.includes('outlook.windows') && !none.includes('outlook.windows-mail'), none.join(', '));
    assert.ok(none.includes('gmx.desktop-webmail'), 'other clients still count');
    assert.match(radius.note ?? '', /Outlook on Windows and Windows Mail are left out/);
    // The same corners outside the block: Outlook on Windows lacks them.
    const plain = checkHtmlCompatibility(
      '<a style="border-radius: 4px" href="https://a.example/">Go</a>',
      selectClients(),
    );
    assert.ok(clientIds(finding(plain, 'border-radius').unsupported).includes('outlook.windows'));
    assert.equal(finding(plain, 'border-radius').note, null);
  });

  test('what MSO conditional comments hide from the others is not checked, the rest is', () => {
    // The VML button, the OfficeDocumentSettings and the `lte mso 11` <style> are comments to every other client.
    assert.ok(!uses(NEWSLETTER).some((u) => u.where.some((where) => where.includes('v:roundrect'))));
    assert.ok(!use(NEWSLETTER, 'css-width').where.some((where) => where.includes('mj-outlook-group-fix')));
    assert.deepEqual(use(NEWSLETTER, 'html-style').where, ['<style> in <head>', '<style> in <body>']);
    assert.equal(use(NEWSLETTER, 'html-style').occurrences, 5);
    assert.deepEqual(use(NEWSLETTER, 'css-at-media').where, [
      '@media only screen and (min-width:480px)',
      '@media only screen and (max-width:479px)',
    ]);
    assert.equal(use(NEWSLETTER, 'css-important', '!important in a <style> sheet').occurrences, 7);
  });

  test('!important is read by how it is written: where, the space before it, its case', () => {
    const html = `<html><head><style>
      .a { color: red !important } .b { color: red!IMPORTANT } .c { background-image: url(x.png)!important }
    </style></head><body><div style="color: blue !important">x</div></body></html>`;
    const written = checkHtmlCompatibility(html, selectClients());
    const sheet = finding(written, '!important in a <style> sheet');
    const inline = finding(written, '!important in a style attribute');
    const careless = finding(
      written,
      '!important in a <style> sheet, with no space before it, not in lowercase',
    );
    const background = finding(
      written,
      '!important in a <style> sheet, with no space before it, on background-image',
    );
    for (const each of [sheet, inline, careless, background]) assert.equal(each.slug, 'css-important');

    // Outlook on Windows: "a #4 #5", only with a space before, not inline.
    assert.ok(!clientIds(sheet.unsupported).includes('outlook.windows'));
    assert.ok(!clientIds(sheet.partial).includes('outlook.windows'), 'both notes met: full support');
    assert.ok(clientIds(inline.unsupported).includes('outlook.windows'));
    assert.ok(clientIds(careless.unsupported).includes('outlook.windows'));
    assert.match(inline.note ?? '', /Outlook \(Windows\) needs it in a <style> sheet\./);
    const outlook = inline.unsupported.find((group) => group.family === 'outlook');
    assert.deepEqual(outlook?.platforms[0]?.notes, ['Partial. Not supported inline. (See email-bugs#31)']);

    // Gmail: "a #1", only in lowercase; Yahoo and AOL: "a #7", no space before on background-image.
    assert.ok(clientIds(careless.unsupported).includes('gmail.desktop-webmail'));
    assert.ok(!clientIds([...sheet.unsupported, ...sheet.partial]).includes('gmail.desktop-webmail'));
    assert.match(careless.note ?? '', /Gmail, .*need it in lowercase/);
    assert.ok(clientIds(background.unsupported).includes('yahoo.desktop-webmail'));
    assert.ok(!clientIds([...careless.unsupported, ...careless.partial]).includes('yahoo.desktop-webmail'));
    // The Gmail app's note is about the reader's account, not the writing: it stays partial.
    assert.ok(clientIds(sheet.partial).includes('gmail.android'));

    assert.ok(careless.support < sheet.support, `${careless.support} vs ${sheet.support}`);
    assert.match(sheet.fix, /a space before it, in lowercase/);
  });

  test('mso-* properties, read by Outlook on Windows alone, use no CSS feature', () => {
    // MJML's `table, td { mso-table-lspace: 0pt }` was the newsletter's only pt unit.
    assert.ok(!uses(NEWSLETTER).some((u) => u.slug === 'css-unit-pt'));
    assert.ok(
      !uses('<p style="mso-line-height-rule: exactly; mso-font-width: 100%">x</p>').some((u) =>
        u.slug.startsWith('css-'),
      ),
    );
    assert.equal(use('<p style="font-size: 10pt">x</p>', 'css-unit-pt').occurrences, 1);
  });

  test('the report lists every caniemail family to choose from, whatever clients are checked', () => {
    const gmail = checkHtmlCompatibility(NEWSLETTER, selectClients(['gmail']));
    assert.deepEqual(
      gmail.clients.map((family) => family.family),
      ['gmail'],
    );
    assert.deepEqual(gmail.allClients, section.allClients);
    assert.deepEqual(section.allClients, section.clients);
    for (const family of ['gmail', 'outlook', 'apple-mail', 'yahoo', 'samsung-email'])
      assert.ok(
        section.allClients.some((group) => group.family === family),
        family,
      );
  });
});
