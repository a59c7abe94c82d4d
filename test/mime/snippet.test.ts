import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainText, snippet } from '../../src/mime/snippet.js';

const text = (value: string): string => snippet({ text: value, html: null });

describe('snippet', () => {
  it('collapses every whitespace run, Unicode spaces included, and trims', () => {
    assert.equal(text(' a\u00a0\u00a0b \t\r\n c\u2003d '), 'a b c d');
    assert.equal(text('   \r\n'), '');
    assert.equal(text(''), '');
  });

  it('leaves out control characters, which have no glyph, and keeps the text around them', () => {
    assert.equal(text('bo\u0000dy\u0007 \u001b[1mbold\u007f \u0085x'), 'body [1mbold x');
  });

  it('keeps a text of up to 160 characters whole', () => {
    const exact = 'x'.repeat(160);
    assert.equal(text(`\r\n${exact}\r\n`), exact);
  });

  it('cuts a longer text at the last word that fits, with an ellipsis', () => {
    const words = 'word '.repeat(50);
    const cut = text(words);
    assert.equal(cut, `${'word '.repeat(31)}word…`);
    assert.ok(cut.length <= 161);
  });

  it('cuts a single long word at 160 characters', () => {
    assert.equal(text('x'.repeat(500)), `${'x'.repeat(160)}…`);
  });

  it('does not count the whitespace of a long body that is collapsed away', () => {
    const spaced = `${'ab \r\n\r\n\t  '.repeat(100)}`;
    assert.equal(text(spaced), `${'ab '.repeat(52)}ab…`);
  });

  it('falls back to the HTML part without markup, scripts or entities', () => {
    const html =
      '<html><head><title>T</title></head><body><script>x()</script><p>Hi&nbsp;&amp; bye &#x263A;</p></body></html>';
    assert.equal(snippet({ text: null, html }), 'Hi & bye ☺');
    assert.equal(plainText({ text: '  ', html: '<b>bold</b>' }).trim(), 'bold');
  });

  it('joins words around inline tags as a browser shows them, and separates block elements', () => {
    const html =
      '<p>Hello <b>there</b>, <a href="https://x.test">welcome</a>!</p><p>Order <SPAN style="color:red">#12</SPAN>.</p><table><tr><td>A</td><td>B</td></tr></table>line<br>break';
    assert.equal(snippet({ text: null, html }), 'Hello there, welcome! Order #12. A B line break');
  });
});
