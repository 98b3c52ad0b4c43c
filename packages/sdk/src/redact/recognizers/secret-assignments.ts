import type { Finding } from '../recognizer.js'
import {
  AUTH_WORD,
  COLON,
  EQUALS,
  firstSchemeIndex,
  QUERY,
  SECRET_KEY_ASSIGNMENT,
  URL_SCHEME,
} from '../text-profile.js'
import { characterClasses, shannonEntropy } from '../validators/entropy.js'

// `password = "…"`, `API_KEY: …`, `"client_secret": "…"`: the value (group 1) after a secret-like key.
// The key is matched as a suffix of an identifier so `OPENAI_API_KEY` and `db_password` both count.
// A key that only ends in `_key` (`MAILGUN_KEY`, `STRIPE_KEY`, but also `PRIMARY_KEY`, `cache_key`) is group 1 and its
// value group 2: such a value must look generated (GENERIC_KEY_FLOOR).
const ASSIGNMENT =
  /(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|(?:master|signing|encryption|secret)[_-]?key|(?:access|auth|refresh|bearer|session|api)[_-]?token|token|credentials?|client[_-]?secret|(?<=[A-Za-z0-9])([_-]key))["']?[ \t]{0,8}(?:[:=]|=>|:=)[ \t]{0,8}["']?([^\s"',;<>`]{4,512})/gi
// A generic `_key`'s value: as long as a generated key at least, and as varied.
const GENERIC_KEY_FLOOR = 16
// `Server=…;User ID=…;Password=…;` and `DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;`: a connection string
// of `key=value` pairs, the first key one word, the rest possibly two ("Initial Catalog", "User ID").
const CONNECTION_STRING = /[A-Za-z][A-Za-z0-9]{0,40}=[^;\s"'`]*;(?:[ ]?[A-Za-z][A-Za-z0-9 ]{0,40}=[^;\s"'`]*;?)+/g
// Pairs a connection string needs to be one, the secret's among them.
const MIN_PAIRS = 3
const BEARER = /\b(?:Bearer|Basic|Token)[ \t]{1,4}([A-Za-z0-9._~+/=-]{12,4096})/g
// scheme://user:password@host — the URL from its scheme (the user may be empty: `redis://:password@host`); the match
// ends before the `@`, and the finding runs on to the URL's end (see urlEnd).
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@'"]{0,128}:([^\s/@'"]{1,256})(?=@)/gi
// The longest scheme URL_CREDENTIALS takes: `[a-z][a-z0-9+.-]{1,20}`.
const URL_SCHEME_MAX = 21
const URL_TOKEN =
  /[?&](?:token|access_token|id_token|refresh_token|api_key|apikey|key|sig|signature|secret|password|passwd|auth|client_secret|x-amz-signature|x-amz-credential|x-goog-signature)=([^&\s#"'<>]{6,2048})/gi

/** Adds the value spans (`profile`: the text's textProfile() bits) of secret assignments, bearer tokens and credential-bearing URLs to `out`. */
export function assignmentSecrets(text: string, profile: number, out: Finding[]): void {
  // `Bearer <token>` stands alone too (a header value copied into a message, a JSON string): no `:` needed.
  if (profile & AUTH_WORD) {
    BEARER.lastIndex = 0
    for (let m = BEARER.exec(text); m !== null; m = BEARER.exec(text)) if (!placeholder(m[1]!)) pushGroup(m, out, 0.85)
  }
  if ((profile & (COLON | EQUALS)) === 0) return
  // The profile has seen `:` or `=` after a key that ends in a secret word (the case-insensitive key alternation on
  // every position costs far more).
  ASSIGNMENT.lastIndex = 0
  for (let m = profile & SECRET_KEY_ASSIGNMENT ? ASSIGNMENT.exec(text) : null; m !== null; m = ASSIGNMENT.exec(text)) {
    let value = m[2]!
    const start = m.index + m[0].length - value.length
    // A query parameter (`?api_key=…&format=json`): its value ends at the next `&`, the rest is the next parameter.
    if (m.index > 0 && (text.charCodeAt(m.index - 1) === 63 || text.charCodeAt(m.index - 1) === 38)) {
      const amp = value.indexOf('&')
      if (amp !== -1) value = value.slice(0, amp)
    }
    if (!looksSecret(value)) continue
    if (m[1] !== undefined && !genericKeyValue(value)) continue
    const end = start + value.length
    // In a connection string, the whole string is the credential: it names the server and the account to log in with.
    const whole =
      text.charCodeAt(end) === 59 || text.charCodeAt(m.index - 1) === 59 ? connectionString(text, start) : null
    if (whole) out.push({ type: 'SECRET', start: whole[0], end: whole[1], score: 1, recognizer: 'secret-assignment' })
    else out.push({ type: 'SECRET', start, end, score: 0.8, recognizer: 'secret-assignment' })
  }
  if (profile & URL_SCHEME) {
    // A match holds `://` after a scheme of at most 21 characters: none opens earlier than that before the first one
    // (text-profile.ts). Every letter before it would otherwise start an attempt of up to 21 characters.
    URL_CREDENTIALS.lastIndex = Math.max(0, firstSchemeIndex() - URL_SCHEME_MAX)
    for (let m = URL_CREDENTIALS.exec(text); m !== null; m = URL_CREDENTIALS.exec(text)) {
      if (placeholder(m[1]!)) continue
      // The whole URL: with a user and a password in it, it is a credential, host and path included (one can log in
      // with it as written).
      const end = urlEnd(text, m.index + m[0].length)
      out.push({ type: 'SECRET', start: m.index, end, score: 1, recognizer: 'secret-assignment' })
    }
  }
  if (profile & EQUALS && profile & QUERY) {
    URL_TOKEN.lastIndex = 0
    for (let m = URL_TOKEN.exec(text); m !== null; m = URL_TOKEN.exec(text)) {
      if (looksSecret(m[1]!)) pushGroup(m, out, 0.8)
    }
  }
}

// `INSERT INTO users (name, password, mfa_secret) VALUES ('ana', 'Adm1n!2024', 'GPJN…'), (…)`: the column list (group
// 1); the tuples follow.
const INSERT = /\binsert\s+into\s+[\w."`[\]]{1,128}\s*\(([^()]{1,2000})\)\s*values\s*/gi
// A column that holds a secret: its name ends like a secret key.
const SECRET_COLUMN = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|private_?key|credentials?)["'`\]]?$/i
// Tuples read per statement, at most.
const MAX_ROWS = 1000

/**
 * The values of secret columns in SQL `INSERT … VALUES` statements: each tuple's quoted string in the position of a
 * column named like a secret (`password`, `api_key`, `mfa_secret`), when it looks like one.
 */
export function insertedSecrets(text: string, out: Finding[]): void {
  INSERT.lastIndex = 0
  for (let m = INSERT.exec(text); m !== null; m = INSERT.exec(text)) {
    const columns = m[1]!.split(',').map((c) => SECRET_COLUMN.test(c.trim()))
    if (!columns.includes(true)) continue
    let i = m.index + m[0].length
    for (let row = 0; row < MAX_ROWS && text.charCodeAt(i) === 40; row++) {
      i = skipBlanks(text, tupleSecrets(text, i + 1, columns, out))
      if (text.charCodeAt(i) !== 44) break
      i = skipBlanks(text, i + 1)
    }
  }
}

/** Past spaces and line breaks from `at`. */
function skipBlanks(text: string, at: number): number {
  let i = at
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++
  return i
}

/** Reads one tuple's values from `at` (after its `(`) and returns the index after its `)`. */
function tupleSecrets(text: string, at: number, columns: boolean[], out: Finding[]): number {
  let i = at
  for (let col = 0; i < text.length; col++) {
    while (text.charCodeAt(i) === 32) i++
    if (text.charCodeAt(i) === 39) {
      // A quoted string, `''` standing for a quote.
      const from = i + 1
      for (i = from; i < text.length; i++) {
        if (text.charCodeAt(i) !== 39) continue
        if (text.charCodeAt(i + 1) !== 39) break
        i++
      }
      const value = text.slice(from, i)
      if (columns[col] && value.indexOf("''") === -1 && looksSecret(value)) {
        out.push({ type: 'SECRET', start: from, end: i, score: 0.8, recognizer: 'secret-assignment' })
      }
      i++
    } else while (i < text.length && text.charCodeAt(i) !== 44 && text.charCodeAt(i) !== 41) i++
    while (text.charCodeAt(i) === 32) i++
    if (text.charCodeAt(i) !== 44) return text.charCodeAt(i) === 41 ? i + 1 : i
    i++
  }
  return i
}

/**
 * A generic `_key`'s value that looks generated: long and varied enough, and not a UUID (`idempotency_key`, `cache_key`
 * and their kin hold identifiers; keys named for a provider have their own formats above).
 */
function genericKeyValue(value: string): boolean {
  return value.length >= GENERIC_KEY_FLOOR && characterClasses(value) >= 2 && !UUID.test(value)
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The connection string (`key=value;` pairs, MIN_PAIRS or more) on the line around `at`, or null. */
function connectionString(text: string, at: number): [number, number] | null {
  const lineStart = text.lastIndexOf('\n', at) + 1
  CONNECTION_STRING.lastIndex = lineStart
  for (let m = CONNECTION_STRING.exec(text); m !== null; m = CONNECTION_STRING.exec(text)) {
    if (m.index > at) return null
    const end = m.index + m[0].length
    if (end <= at) continue
    let pairs = 0
    for (let i = m.index; i < end; i++) if (text.charCodeAt(i) === 61) pairs++
    return pairs >= MIN_PAIRS ? [m.index, text.charCodeAt(end - 1) === 59 ? end - 1 : end] : null
  }
  return null
}

/**
 * A stand-in where a secret would go: masked (`********`, `xxxx`, `••••`), bracketed (`[REDACTED]`, `<YOUR_TOKEN>`,
 * `${API_KEY}`, `{{token}}`, `%TOKEN%`), or named in capitals like a variable (`YOUR_API_KEY`, `API_TOKEN`).
 */
function placeholder(value: string): boolean {
  if (/^[$<{%[(]/.test(value)) return true
  if (/^(?:x+|\*+|\.+|•+|changeme|redacted|your[_-]?[\w-]*|\w*[_-]here)$/i.test(value)) return true
  // The word itself in capitals, as documentation writes a URL's parts (`postgresql://USER:PASSWORD@host`).
  if (/^(?:PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN)$/.test(value)) return true
  return /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)
}

/** Where a URL that goes on at `from` ends: at a space, quote, angle bracket or backtick, less closing punctuation. */
function urlEnd(text: string, from: number): number {
  let end = from
  while (end < text.length && !URL_STOP.test(text[end]!)) end++
  while (end > from && URL_TRAIL.test(text[end - 1]!)) end--
  return end
}

const URL_STOP = /[\s"'<>`]/
const URL_TRAIL = /[.,;:!?)\]}]/

/** The value group of a match that ends with it. */
function pushGroup(m: RegExpExecArray, out: Finding[], score: number): void {
  const value = m[1]!
  const end = m.index + m[0].length
  out.push({ type: 'SECRET', start: end - value.length, end, score, recognizer: 'secret-assignment' })
}

/**
 * Entropy floor: a value is a secret when it is long and varied enough to be generated, or mixes character classes
 * like a chosen password. Placeholders (`xxxx`, `<your key>`, `${API_KEY}`, `changeme`) fail.
 */
function looksSecret(value: string): boolean {
  if (placeholder(value)) return false
  if (/^(?:null|none|true|false|undefined|password|secret|example)$/i.test(value)) return false
  // A reference to a secret kept elsewhere, not its value: `os.getenv("…")`, `os.environ["…"]`, `process.env.API_KEY`.
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*[([]/.test(value) || /^(?:process\.env|os\.environ|ENV)\b/.test(value))
    return false
  // Terraform's and CI's references (`var.db_password`, `local.token`, `secrets.API_KEY`): the value lives elsewhere.
  if (/^(?:var|local|data|module|secrets|vars|env|inputs)\.[A-Za-z_][\w.]*$/.test(value)) return false
  // AWS's documented sample credentials (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY).
  if (value.endsWith('EXAMPLE') || value.endsWith('EXAMPLEKEY')) return false
  const h = shannonEntropy(value)
  if (value.length >= 16) return h >= 3
  return value.length >= 6 && h >= 2.3 && characterClasses(value) >= 2
}
