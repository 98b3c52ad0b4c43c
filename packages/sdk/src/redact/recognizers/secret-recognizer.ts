import { type Finding, NO_FINDINGS, type Recognizer } from '../recognizer.js'
import { AUTH_WORD, COLON, DASHES, EQUALS, KEY_MARKER, SECRET_WORD, textProfile } from '../text-profile.js'
import { checkJwt } from '../validators/jwt.js'
import { assignmentSecrets, insertedSecrets } from './secret-assignments.js'
import { proseSecrets } from './secret-prose.js'

// Provider key formats, one alternation so the text is scanned once. Every branch starts with a literal prefix
// (V8 can reject most positions on the first character) and has bounded repetition.
const KEYS = new RegExp(
  [
    'sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{20,200}', // Anthropic
    'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}', // OpenAI
    '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}', // AWS access key ids
    'gh[pousr]_[A-Za-z0-9]{30,255}', // GitHub tokens
    'github_pat_[A-Za-z0-9_]{22,255}',
    'glpat-[A-Za-z0-9_-]{20,64}', // GitLab
    'xox[abposr]-[A-Za-z0-9-]{10,250}', // Slack
    '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,128}', // Stripe
    'whsec_[A-Za-z0-9]{24,64}',
    'AIza[0-9A-Za-z_-]{35,64}', // Google API keys (35 after the prefix; a longer run is taken whole, not cut)
    'hf_[A-Za-z0-9]{30,64}', // Hugging Face
    'npm_[A-Za-z0-9]{36,64}',
    'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
    // Incoming-webhook URLs carry their own credential: anyone holding one can post.
    'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{20,200}',
    'https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[A-Za-z0-9]{5,30}/[A-Za-z0-9_-]{20,200}',
    'https://[A-Za-z0-9-]{1,63}\\.webhook\\.office\\.com/webhookb2/[A-Za-z0-9@/_-]{40,400}', // Microsoft Teams
    'SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{30,64}', // SendGrid
    'key-[0-9a-f]{32}', // Mailgun
    'eyJ[A-Za-z0-9_-]{6,2000}\\.eyJ[A-Za-z0-9_-]{6,8000}\\.[A-Za-z0-9_-]{0,2000}', // JWT (confirmed below)
  ]
    .map((s) => `(?:${s})`)
    .join('|'),
  'g',
)
const BOUNDARY = /[A-Za-z0-9_-]/
const PEM =
  /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,20000}?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g
/** Text-profile bits of which a text must hold one for this recognizer to find anything (the engine reads it). */
export const SECRET_GATE = KEY_MARKER | DASHES | COLON | EQUALS | SECRET_WORD | AUTH_WORD

/**
 * SECRET: provider keys and tokens by their documented prefixes, JWTs confirmed by decoding the header, PEM private
 * key blocks, and (see secret-assignments.ts) `password=`/`api_key:` assignments, bearer tokens and URLs that carry
 * credentials.
 *
 * @example
 * secretRecognizer.find('key ghp_16C7e42F292c6912E7710c838347Ae178B4a') // one SECRET finding
 */
export const secretRecognizer: Recognizer = {
  name: 'secret',
  entities: ['SECRET'],
  find(text: string): readonly Finding[] {
    const profile = textProfile(text)
    // No key opener, no PEM armour, no `:` or `=`, no secret or auth word: nothing below can match.
    if ((profile & SECRET_GATE) === 0) return NO_FINDINGS
    const out: Finding[] = []
    // The profile has seen a word that opens a key format (its marker words are those of the alternation).
    KEYS.lastIndex = 0
    for (let m = profile & KEY_MARKER ? KEYS.exec(text) : null; m !== null; m = KEYS.exec(text)) {
      const start = m.index
      const end = start + m[0].length
      // Keys sit between non-token characters: `task-runner` or `disk-usage-monitor-…` are not keys.
      if (start > 0 && BOUNDARY.test(text[start - 1]!)) continue
      // AWS documents its API with key ids that end in EXAMPLE (AKIAIOSFODNN7EXAMPLE): published placeholders.
      if (m[0].endsWith('EXAMPLE')) continue
      // A prefix and one character repeated (`sk_test_xxxxxxxxxxxx`, `ghp_000000…`): a placeholder in the docs.
      if (/([A-Za-z0-9])\1{11,}$/.test(m[0])) continue
      let score = 1
      if (m[0].startsWith('eyJ')) {
        const check = checkJwt(m[0])
        if (check === 'invalid') continue
        score = check === 'valid' ? 1 : 0.85
      } else if (m[0].startsWith('sk-') && !/\d/.test(m[0])) {
        score = 0.4 // `sk-learn-style-words`: a real key mixes digits in
      }
      out.push({ type: 'SECRET', start, end, score, recognizer: 'secret' })
    }
    if (profile & DASHES && text.indexOf('-----BEGIN') !== -1) {
      PEM.lastIndex = 0
      for (let m = PEM.exec(text); m !== null; m = PEM.exec(text)) {
        out.push({ type: 'SECRET', start: m.index, end: m.index + m[0].length, score: 1, recognizer: 'secret' })
      }
    }
    assignmentSecrets(text, profile, out)
    if (profile & SECRET_WORD) {
      proseSecrets(text, out)
      insertedSecrets(text, out)
    }
    return out
  },
}
