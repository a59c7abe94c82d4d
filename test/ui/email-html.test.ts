/**
 * The preview's HTML preparation: until the user allows remote content, no remote URL is left in
 * a place a browser fetches from (the CSP <meta> blocks them too; this holds even before it applies).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countRemoteResources, prepareEmailHtml } from '../../ui/src/lib/email-html.js';

const HTML = [
  // A web font as MJML templates link it, twice: a <link> and an @import.
  '<link href="https://fonts.example/css?family=Ubuntu" rel="stylesheet" type="text/css">',
  '<style>@import url(https://fonts.example/css?family=Ubuntu);</style>',
  '<img alt="pixel" src="http://tracker.example/open.gif">',
  "<img src='//cdn.example/logo.png'>",
  '<div style="background: url(https://images.example/bg.png)"></div>',
  '<img srcset="http://a.example/1.png 1x, https://b.example/2.png 2x">',
  '<a href="https://link.example/page">a link</a>',
  '<img alt="inline" src="cid:logo@acme">',
].join('');

function prepare(allowRemote: boolean): string {
  return prepareEmailHtml(HTML, {
    allowRemote,
    attachments: [
      {
        index: 0,
        filename: 'logo.png',
        contentType: 'image/png',
        size: 1,
        contentId: '<logo@acme>',
        inline: true,
      },
    ],
    attachmentUrl: (index) => `/api/v1/messages/m1/attachments/${index}`,
    origin: 'http://127.0.0.1:8025',
  });
}

test('blocked: every remote resource URL is disarmed; links and cid: images are kept', () => {
  const html = prepare(false);
  assert.equal(countRemoteResources(HTML), 5);
  for (const url of [
    'fonts.example/css',
    'tracker.example/open.gif',
    'cdn.example/logo.png',
    'images.example/bg.png',
    'a.example/1.png',
    'b.example/2.png',
  ]) {
    assert.match(html, new RegExp(`data:,blocked-remote/${url.replace(/\./g, '\\.')}`));
  }
  assert.doesNotMatch(
    html.replace(/href="[^"]*"/g, '').replace(/<meta[^>]*>/g, ''),
    /(?:https?:|["'(\s,])\/\/(?!127\.0\.0\.1:8025\/)/,
  );
  assert.match(html, /href="https:\/\/link\.example\/page"/);
  assert.match(html, /src="http:\/\/127\.0\.0\.1:8025\/api\/v1\/messages\/m1\/attachments\/0"/);
  assert.match(html, /img-src data: http:\/\/127\.0\.0\.1:8025;/);
  assert.match(
    html,
    /<link href="data:,blocked-remote\/fonts\.example\/css\?family=Ubuntu" rel="stylesheet"/,
  );
  // The disarmed stylesheets are data: URLs: allowed, so not reported as violations; they hold nothing.
  assert.match(html, /style-src 'unsafe-inline' data:;/);
});

test('allowed: the markup is left as sent and the policy lets http(s) images in', () => {
  const html = prepare(true);
  assert.match(html, /src="http:\/\/tracker\.example\/open\.gif"/);
  assert.match(html, /srcset="http:\/\/a\.example\/1\.png 1x, https:\/\/b\.example\/2\.png 2x"/);
  assert.match(html, /img-src data: http:\/\/127\.0\.0\.1:8025 https: http:;/);
});
