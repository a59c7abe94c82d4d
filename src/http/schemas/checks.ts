/** Schemas of the deliverability report (`/api/v1/messages/{id}/checks`). Field docs mirror src/deliverability/types.ts. */
import { type TSchema, Type } from '@sinclair/typebox';
import {
  AUTH_RESULTS,
  type AuthResult,
  CONTENT_CHECK_IDS,
  type ContentCheckId,
  SPAMASSASSIN_OUTCOMES,
  type SpamAssassinOutcome,
} from '../../deliverability/types.js';
import { nullable, ref } from './common.js';

export const SeveritySchema = Type.Union(
  [Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')],
  {
    $id: 'Severity',
    description:
      'How much a problem matters: `error` will hurt delivery, `warning` may, `info` is worth knowing.',
  },
);

export const AuthResultSchema = Type.Unsafe<AuthResult>(
  Type.String({
    $id: 'AuthResult',
    enum: [...AUTH_RESULTS],
    description:
      'An authentication result as RFC 8601 names them; `temperror` is a DNS failure or timeout, `policy` a DKIM key too weak to count.',
  }),
);

export const ContentCheckIdSchema = Type.Unsafe<ContentCheckId>(
  Type.String({
    $id: 'ContentCheckId',
    enum: [...CONTENT_CHECK_IDS],
    description: 'Stable kebab-case id of a content check (see the README, "Deliverability checks").',
  }),
);

/** The verdict fields every authentication check has. */
const verdict = {
  severity: nullable(ref(SeveritySchema), 'How much the result matters; null when there is nothing to fix.'),
  reason: Type.String({ description: 'What was found, in one sentence, with the facts to verify it.' }),
  fix: nullable(Type.String(), 'What to change; null when there is nothing to fix.'),
};

function check<T extends Record<string, TSchema>>(id: string, description: string, properties: T) {
  return Type.Object({ result: ref(AuthResultSchema), ...properties, ...verdict }, { $id: id, description });
}

export const SpfCheckSchema = check('SpfCheck', 'SPF (RFC 7208) for the sending IP.', {
  scope: Type.Union([Type.Literal('mailfrom'), Type.Literal('helo')], {
    description:
      '`mailfrom`: the envelope sender domain was checked; `helo`: the sender was empty, so the HELO name.',
  }),
  domain: nullable(Type.String(), 'The domain whose SPF record was evaluated; null when there was none.'),
  record: nullable(Type.String(), 'The SPF record found, e.g. `v=spf1 ip4:203.0.113.0/24 -all`.'),
});

export const DkimSignatureCheckSchema = check('DkimSignatureCheck', 'One DKIM signature (RFC 6376).', {
  domain: Type.String({ description: 'The signing domain (`d=`).' }),
  selector: nullable(Type.String(), 'The selector (`s=`); the key is at `<selector>._domainkey.<domain>`.'),
  algorithm: nullable(Type.String(), 'The signature algorithm (`a=`), e.g. `rsa-sha256`.'),
  canonicalization: nullable(Type.String(), 'Header/body canonicalization (`c=`), e.g. `relaxed/relaxed`.'),
  alignedWithFrom: Type.Boolean({
    description: 'True when `d=` shares the From domain’s organizational domain (DMARC relaxed alignment).',
  }),
});

export const DkimCheckSchema = check('DkimCheck', 'DKIM: every signature of the message.', {
  signatures: Type.Array(ref(DkimSignatureCheckSchema), { description: 'Every signature, in header order.' }),
});

const DmarcAlignmentSchema = Type.Object(
  {
    aligned: Type.Boolean({ description: 'True when this method passed for a domain aligned with From.' }),
    domain: nullable(Type.String(), 'The aligned domain that passed; null when none did.'),
    mode: Type.Union([Type.Literal('relaxed'), Type.Literal('strict')], {
      description:
        '`relaxed` (organizational domains match) or `strict` (exact match), from `aspf=`/`adkim=`.',
    }),
  },
  { $id: 'DmarcAlignment', description: 'How one method aligns with the From domain.' },
);

export const DmarcCheckSchema = check('DmarcCheck', 'DMARC (RFC 7489) for the From domain.', {
  fromDomain: nullable(Type.String(), 'The From domain; null when From has no single address.'),
  policy: nullable(
    Type.Union([Type.Literal('none'), Type.Literal('quarantine'), Type.Literal('reject')]),
    'The policy that applies (`p=`, or `sp=` for a subdomain); null without a record.',
  ),
  record: nullable(Type.String(), 'The DMARC record found, e.g. `v=DMARC1; p=reject`.'),
  alignment: Type.Object(
    { spf: ref(DmarcAlignmentSchema), dkim: ref(DmarcAlignmentSchema) },
    { description: 'SPF and DKIM alignment with the From domain.' },
  ),
});

export const ArcCheckSchema = check('ArcCheck', 'ARC (RFC 8617), when forwarders added a chain.', {
  instance: nullable(Type.Integer(), 'The highest ARC instance (`i=`); null without a chain.'),
});

export const ContentFindingSchema = Type.Object(
  {
    id: ref(ContentCheckIdSchema),
    severity: ref(SeveritySchema),
    message: Type.String({ description: 'What was found, in one sentence.' }),
    fix: Type.String({ description: 'How to fix it.' }),
    evidence: Type.Array(Type.String(), {
      description: 'The offending items (URLs, image sources, elements), at most 20.',
    }),
  },
  { $id: 'ContentFinding', description: 'A content problem, with its fix.' },
);

const LinkProbeSchema = Type.Object(
  {
    outcome: Type.Union(
      [
        Type.Literal('reachable'),
        Type.Literal('broken'),
        Type.Literal('unreachable'),
        Type.Literal('skipped'),
      ],
      {
        description:
          '`reachable`: last answer below 400; `broken`: 400 or above; `unreachable`: no answer (DNS, connection, TLS, timeout, too many redirects); `skipped`: over the cap of probed links.',
      },
    ),
    status: nullable(Type.Integer(), 'The last HTTP status received; null when none was.'),
    method: nullable(
      Type.Union([Type.Literal('HEAD'), Type.Literal('GET')]),
      '`HEAD`, or `GET` when the server refused HEAD (405 or 501); null when skipped.',
    ),
    redirects: Type.Array(
      Type.Object(
        {
          status: Type.Integer({ description: 'The redirect status, e.g. 301.' }),
          location: Type.String({ description: 'Where it pointed, resolved to an absolute URL.' }),
        },
        { description: 'One redirect followed.' },
      ),
      { description: 'Every redirect followed, in order.' },
    ),
    finalUrl: nullable(Type.String(), 'The URL that gave the last answer.'),
    error: nullable(Type.String(), 'Why there was no usable answer; null otherwise.'),
    elapsedMs: Type.Integer({ description: 'How long the probe took.' }),
  },
  { $id: 'LinkProbe', description: 'The HTTP probe of a link (`?probeLinks=true`).' },
);

export const LinkCheckSchema = Type.Object(
  {
    url: Type.String({ description: 'The URL as written in the message (entities decoded).' }),
    text: Type.String({ description: 'The link text (for images, the alt text); empty for text-part URLs.' }),
    part: Type.Union([Type.Literal('html'), Type.Literal('text')], { description: 'The body part.' }),
    element: Type.Union(
      [
        Type.Literal('a'),
        Type.Literal('area'),
        Type.Literal('img'),
        Type.Literal('background'),
        Type.Literal('text'),
      ],
      {
        description:
          '`a`, `area` or `img` in HTML; `background` for a background image (a `background` attribute or a CSS `url(...)`); `text` for a URL in the plain-text part.',
      },
    ),
    problems: Type.Array(ref(ContentCheckIdSchema), { description: 'The content checks this link fails.' }),
    probe: nullable(ref(LinkProbeSchema), 'The HTTP probe; null when not asked for or not an http(s) URL.'),
  },
  { $id: 'LinkCheck', description: 'A link or image of the message.' },
);

const SpamRuleSchema = Type.Object(
  {
    name: Type.String({ description: 'The SpamAssassin rule, e.g. `MISSING_DATE`.' }),
    score: Type.Number({
      description: 'The points it added (negative ones take points away), rounded to a tenth.',
    }),
    description: Type.String({ description: 'spamd’s description, e.g. `Missing Date: header`.' }),
  },
  { $id: 'SpamRule', description: 'A SpamAssassin rule that hit.' },
);

export const SpamCheckSchema = Type.Object(
  {
    score: Type.Number({ description: 'SpamAssassin’s score of the message.' }),
    threshold: Type.Number({
      description: 'The score from which it calls a message spam (`required_score`, 5.0 by default).',
    }),
    isSpam: Type.Boolean({ description: 'True when the score reaches the threshold.' }),
    rules: Type.Array(ref(SpamRuleSchema), { description: 'Every rule that hit, most points first.' }),
  },
  { $id: 'SpamCheck', description: 'SpamAssassin’s verdict, from spamd (`--spamassassin`).' },
);

export const SpamAssassinCheckSchema = Type.Object(
  {
    server: nullable(Type.String(), 'spamd’s address (`--spamassassin`); null when not configured.'),
    outcome: Type.Unsafe<SpamAssassinOutcome>(
      Type.String({
        enum: [...SPAMASSASSIN_OUTCOMES],
        description:
          '`scanned`; `not-configured` (no `--spamassassin`); `too-large` (over the 500 KiB spamc sends); `connection-failed`, `timeout` or `protocol-error` when spamd could not be used.',
      }),
    ),
    ...verdict,
  },
  {
    $id: 'SpamAssassinCheck',
    description:
      'Whether and how SpamAssassin scanned the message: an `error` when it calls the message spam or spamd failed, with the fix.',
  },
);

const EmailClientPlatformFields = {
  client: Type.String({ description: 'caniemail’s id, `family.platform`, e.g. `outlook.windows`.' }),
  platform: Type.String({ description: 'The platform, e.g. `windows`.' }),
  name: Type.String({ description: 'Its display name, e.g. `Windows`.' }),
};

const FamilyFields = {
  family: Type.String({ description: 'caniemail’s family id, e.g. `outlook`.' }),
  name: Type.String({ description: 'Its display name, e.g. `Outlook`.' }),
};

export const EmailClientFamilySchema = Type.Object(
  {
    ...FamilyFields,
    platforms: Type.Array(Type.Object(EmailClientPlatformFields, { description: 'One email client.' }), {
      description: 'The family’s platforms that were checked.',
    }),
  },
  {
    $id: 'EmailClientFamily',
    description: 'A family of email clients (Gmail, Outlook…) with its platforms.',
  },
);

export const FamilySupportSchema = Type.Object(
  {
    ...FamilyFields,
    platforms: Type.Array(
      Type.Object(
        {
          ...EmailClientPlatformFields,
          notes: Type.Array(Type.String(), { description: 'caniemail’s notes on this client’s result.' }),
        },
        { description: 'One email client and caniemail’s notes on it.' },
      ),
      { description: 'The family’s platforms with this support level.' },
    ),
  },
  { $id: 'FamilySupport', description: 'The platforms of one family that share a support level.' },
);

export const HtmlFeatureFindingSchema = Type.Object(
  {
    slug: Type.String({ description: 'caniemail’s id of the feature, e.g. `css-display-flex`.' }),
    title: Type.String({
      description:
        'caniemail’s title, e.g. `display:flex`; for a value caniemail has no feature of its own for, the value as used (`display:inline-flex`), under the closest feature’s `slug`.',
    }),
    note: Type.Union([Type.String(), Type.Null()], {
      description:
        'How caniemail’s data was read for such a value (which feature stands for it, which clients’ notes rule it out); null otherwise.',
    }),
    url: Type.String({ description: 'The caniemail page, with the test and the workarounds.' }),
    category: Type.Union([Type.Literal('html'), Type.Literal('css'), Type.Literal('image')], {
      description: 'HTML, CSS or an image format.',
    }),
    severity: ref(SeveritySchema),
    support: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'This feature’s support over the checked clients, 0–100, as in `score`.',
    }),
    unsupported: Type.Array(ref(FamilySupportSchema), {
      description: 'Clients whose latest caniemail test found no support, by family.',
    }),
    partial: Type.Array(ref(FamilySupportSchema), {
      description: 'Clients whose latest test found partial support, with caniemail’s notes, by family.',
    }),
    occurrences: Type.Integer({ description: 'How many times the message uses it.' }),
    where: Type.Array(Type.String(), {
      description: 'Where: excerpts such as `<div style="display: flex">`, at most 5 distinct.',
    }),
    fix: Type.String({ description: 'What to change, or how to make sure the message degrades well.' }),
  },
  {
    $id: 'HtmlFeatureFinding',
    description:
      'A caniemail feature the HTML uses that a checked client does not fully support: `warning` when Apple Mail, Gmail, Outlook or Yahoo has a platform without support, else `info`.',
  },
);

export const HtmlCompatibilitySchema = Type.Object(
  {
    score: Type.Integer({
      minimum: 0,
      maximum: 100,
      description:
        'The mean, over the features used, of each feature’s support: the mean over client families (each weighted equally) of the mean over the family’s platforms of 1 (full), 0.5 (partial) or 0 (none); unknown results left out.',
    }),
    featuresUsed: Type.Integer({
      description: 'How many caniemail features the HTML uses, supported ones included.',
    }),
    clients: Type.Array(ref(EmailClientFamilySchema), {
      description: 'The clients checked (all of caniemail’s, or those of `clients`), by family.',
    }),
    allClients: Type.Array(ref(EmailClientFamilySchema), {
      description:
        'Every client caniemail has data for, by family, whatever `clients` chose: what there is to choose from.',
    }),
    features: Type.Array(ref(HtmlFeatureFindingSchema), {
      description:
        'Features some checked client does not fully support: warnings first, least supported first.',
    }),
    summary: Type.Object(
      {
        warnings: Type.Integer({ description: 'Features of severity `warning`.' }),
        infos: Type.Integer({ description: 'Features of severity `info`.' }),
      },
      {
        description: 'Findings by severity; not counted in the report’s `summary`, which is about delivery.',
      },
    ),
    data: Type.Object(
      {
        package: Type.String({ description: 'The npm package of the data, e.g. `caniemail@1.0.5`.' }),
        updated: Type.String({ description: 'The date of the data’s last update (YYYY-MM-DD).' }),
      },
      { description: 'The caniemail.com data used.' },
    ),
    checkedBytes: Type.Integer({ description: 'Bytes of the HTML checked: the first 1 MiB at most.' }),
    htmlBytes: Type.Integer({ description: 'Bytes of the HTML body.' }),
  },
  {
    $id: 'HtmlCompatibility',
    description: 'The HTML body against caniemail.com’s email-client support data, with a score.',
  },
);

export const DeliverabilityReportSchema = Type.Object(
  {
    messageId: Type.String({ description: 'The id of the message checked.' }),
    checkedAt: Type.String({ format: 'date-time', description: 'When the checks ran (ISO 8601).' }),
    sendingIp: Type.Object(
      {
        address: Type.String({ description: 'The IP address SPF was evaluated for.' }),
        source: Type.Union([Type.Literal('request'), Type.Literal('config'), Type.Literal('client')], {
          description:
            '`request` (`?ip=`), `config` (`--sending-ip`), or `client`: the address the message reached the sandbox from.',
        }),
      },
      { description: 'The sending IP SPF was evaluated for, and where it came from.' },
    ),
    dns: Type.Object(
      {
        server: nullable(
          Type.String(),
          'The DNS server asked (`--dns-server`); null for the system resolver.',
        ),
        failures: Type.Array(
          Type.Object(
            {
              name: Type.String({ description: 'The name looked up.' }),
              type: Type.String({ description: 'The record type, e.g. `TXT`.' }),
              error: Type.String({ description: 'What went wrong, e.g. no answer within the timeout.' }),
            },
            { description: 'A failed lookup.' },
          ),
          {
            description: 'Lookups that failed other than "no such record"; their checks report `temperror`.',
          },
        ),
      },
      { description: 'The DNS the checks used; answers are live, never cached.' },
    ),
    authentication: Type.Object(
      {
        spf: ref(SpfCheckSchema),
        dkim: ref(DkimCheckSchema),
        dmarc: ref(DmarcCheckSchema),
        arc: ref(ArcCheckSchema),
      },
      { description: 'SPF, DKIM, DMARC and ARC as a receiving server would evaluate them.' },
    ),
    content: Type.Array(ref(ContentFindingSchema), { description: 'Content problems found.' }),
    links: Type.Array(ref(LinkCheckSchema), { description: 'Every link and image, HTML first.' }),
    spam: nullable(
      ref(SpamCheckSchema),
      'SpamAssassin’s score and the rules that hit; null when the message was not scanned (`spamAssassin` says why).',
    ),
    spamAssassin: ref(SpamAssassinCheckSchema),
    htmlCompatibility: nullable(
      ref(HtmlCompatibilitySchema),
      'The HTML body against caniemail.com’s client support data; null when the message has no HTML part.',
    ),
    summary: Type.Object(
      {
        errors: Type.Integer({
          description: 'Problems of severity `error`: authentication, content and the spam check.',
        }),
        warnings: Type.Integer({ description: 'Problems of severity `warning`.' }),
        infos: Type.Integer({ description: 'Problems of severity `info`.' }),
        passed: Type.Boolean({ description: 'True when there is no error.' }),
      },
      { description: 'Counts over authentication, content and the spam check.' },
    ),
  },
  {
    $id: 'DeliverabilityReport',
    description: 'Would the message authenticate, and what in it hurts delivery.',
  },
);

export const CHECKS_SCHEMAS = [
  SeveritySchema,
  AuthResultSchema,
  ContentCheckIdSchema,
  SpfCheckSchema,
  DkimSignatureCheckSchema,
  DkimCheckSchema,
  DmarcAlignmentSchema,
  DmarcCheckSchema,
  ArcCheckSchema,
  ContentFindingSchema,
  LinkProbeSchema,
  LinkCheckSchema,
  SpamRuleSchema,
  SpamCheckSchema,
  SpamAssassinCheckSchema,
  EmailClientFamilySchema,
  FamilySupportSchema,
  HtmlFeatureFindingSchema,
  HtmlCompatibilitySchema,
  DeliverabilityReportSchema,
];
