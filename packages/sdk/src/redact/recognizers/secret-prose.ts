import type { Finding } from '../recognizer.js'
import { characterClasses, shannonEntropy } from '../validators/entropy.js'

// Secrets told in a sentence rather than assigned in code: "the wifi password is X", "pw for the staging db is X",
// "La contraseña del servidor es X", "password X", "Use api key X for …", "Login: admin / X", and a MySQL client's
// `-pX`. The words that open one (the text profile's SECRET_WORD bit gates this; `api key` and its kin are read there
// as two words). Every word is ASCII up to where the profile's letter run ends (`contrase` of `contraseña`).
// Not a `u` regex: under `iu` a few characters outside ASCII (`ſ`, the Kelvin sign) fold onto ASCII letters, which the
// profile's ASCII letter runs would not see.
const OPENER =
  /(?<![A-Za-z0-9_\u00C0-\u024F])(?:pass(?:word|wort|wd|code|phrase|ord)|pwd?|kennwort|wachtwoord|contrase(?:ñ|n)a|senha|mot de passe|salasana|adgangskode|secret|token|(?:api|access|secret|private|signing) ?key|logins?|credentials|creds|mysql(?:dump|admin)?)(?![A-Za-z0-9_\u00C0-\u024F])/gi

const MYSQL = /^mysql/i

// What may join the opener's phrase to its value: a copula or a separator in the languages the openers come from.
const COPULAS = new Set([
  'is',
  'are',
  'was',
  'be',
  'es',
  'est',
  'ist',
  'lautet',
  'é',
  'è',
  'era',
  'sei',
  'to',
  'a',
  'naar',
  'ni',
  ':',
  '=',
  '-',
  '–',
  '—',
  '->',
  '→',
  '/',
  'is:',
  'es:',
])
// A word that may stand between a copula and the value ("is now X", "es ahora X").
const ADVERBS = new Set(['now', 'still', 'ahora', 'jetzt', 'nun', 'maintenant', 'ora', 'agora', 'nu', 'also'])
// At most this many words between the opener and its copula ("pw for the staging db is X").
const MAX_WORDS = 6
// The value must be at least this long: "pw is abc12" stays (too short to tell from a code or a word).
const MIN_VALUE = 8

/**
 * Adds the values of secrets told in prose to `out`: an opener word ("password", "Passwort", "contraseña", "api key",
 * "secret", "token", "login"), up to six plain words, a copula ("is", "es", "lautet", ":", "/"), then a value; or the
 * value right after the opener ("password dPFb…", "api key 4f9a…"). The value must look generated or chosen as a
 * password (looksLikeSecretValue), so "password reset", "the token expired" and "api key rotation" are none.
 */
export function proseSecrets(text: string, out: Finding[]): void {
  OPENER.lastIndex = 0
  for (let m = OPENER.exec(text); m !== null; m = OPENER.exec(text)) {
    const end = m.index + m[0].length
    // `password=` is an assignment (secret-assignments.ts reads it, with its own floor); `:PASSWORD@` a URL's stand-in
    // for one (secret-assignments.ts reads URLs).
    if (text.charCodeAt(end) === 61 || text.charCodeAt(end) === 64) continue
    if (MYSQL.test(m[0])) mysqlPassword(text, end, out)
    else valueAfter(text, end, out)
  }
}

/** The value after an opener ending at `at`, if one follows within the opener's line (see proseSecrets). */
function valueAfter(text: string, at: number, out: Finding[]): void {
  let pos = at
  let words = 0
  let joined = false // a copula stands between the opener and here
  let adverb = false
  // "Password: X" and "key: X": a colon glued to the opener is a copula.
  if (text.charCodeAt(pos) === 58) {
    joined = true
    pos++
  }
  for (;;) {
    const token = nextToken(text, pos)
    if (token === null) return
    const [start, tokenEnd] = token
    pos = tokenEnd
    const word = text.slice(start, tokenEnd)
    // The value comes right after the opener or a copula (and at most one adverb); later it is only a word.
    if (words === 0 || joined) {
      const [from, to] = quoted(text, start, tokenEnd) ?? valueSpan(text, start, tokenEnd)
      if (looksLikeSecretValue(text.slice(from, to))) {
        out.push({ type: 'SECRET', start: from, end: to, score: 0.75, recognizer: 'secret-prose' })
        return
      }
    }
    const lower = word.toLowerCase()
    // The opener ends its sentence and the next one gives the value ("rotated the client secret. New one is X").
    if (words === 0 && !joined && (word === '.' || word === ',')) continue
    if (COPULAS.has(lower) || (lower.endsWith(':') && lower.length > 1 && isWord(lower.slice(0, -1)))) {
      joined = true
      continue
    }
    if (joined) {
      // "is now X"; "Login: admin / X" (a user name, then the separator).
      if (!adverb && (ADVERBS.has(lower) || isWord(word))) {
        adverb = true
        continue
      }
      return
    }
    if (!isWord(word) || ++words > MAX_WORDS) return
  }
}

/** `mysql … -pVALUE`: the password glued to `-p` on the command's line (`-p` alone prompts for it). */
function mysqlPassword(text: string, at: number, out: Finding[]): void {
  let lineEnd = text.indexOf('\n', at)
  if (lineEnd === -1) lineEnd = text.length
  for (let k = text.indexOf(' -p', at); k !== -1 && k < lineEnd; k = text.indexOf(' -p', k + 3)) {
    const start = k + 3
    let end = start
    while (end < lineEnd && !isSpaceOrQuote(text.charCodeAt(end))) end++
    const value = text.slice(start, end)
    if (value.length >= 4 && characterClasses(value) >= 2) {
      out.push({ type: 'SECRET', start, end, score: 0.8, recognizer: 'secret-prose' })
      return
    }
  }
}

/**
 * The next token on the same line from `pos` ([start, end)), or null at a line break or the end. A token ends at
 * whitespace or at a quote, angle bracket or backtick, which stand alone: in JSON or markup (`"msg":"token expired",…`)
 * those are structure, not part of a value told in a sentence.
 */
function nextToken(text: string, pos: number): [number, number] | null {
  let k = pos
  while (k < text.length && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++
  if (k >= text.length || text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13) return null
  const start = k
  if (isStop(text.charCodeAt(k))) return [start, k + 1]
  while (k < text.length && !isSpace(text.charCodeAt(k)) && !isStop(text.charCodeAt(k))) k++
  return [start, k]
}

// A plain word between the opener and its copula: letters (any script), inner hyphens and apostrophes, and the
// punctuation that may close it ("staging db," "client secret. New one is X").
const WORD = /^[\p{L}][\p{L}'’-]*[.,;]?$/u

function isWord(token: string): boolean {
  return token.length <= 24 && WORD.test(token)
}

/** For a `"` token at `start`: the span between it and its closing quote when no whitespace stands between. */
function quoted(text: string, start: number, end: number): [number, number] | null {
  if (end !== start + 1 || text.charCodeAt(start) !== 34) return null
  let k = end
  while (k < text.length && k - end <= 512 && text.charCodeAt(k) !== 34 && !isSpace(text.charCodeAt(k))) k++
  return k < text.length && text.charCodeAt(k) === 34 ? [end, k] : null
}

/**
 * The value within the token [start, end): without the sentence punctuation that closes it ("… lautet H4vRGo7oTi3w!."
 * keeps the `!`) and without quotes or brackets around it ("password 'Xk9…'").
 */
function valueSpan(text: string, start: number, end: number): [number, number] {
  let from = start
  let to = end
  while (to > from && CLOSING.includes(text[to - 1]!)) to--
  while (from < to && OPENING.includes(text[from]!)) from++
  return [from, to]
}
const CLOSING = ".,;:)]'’”»"
const OPENING = "'“‘«(["

/**
 * A value told in prose is a secret when it is long enough, holds a letter and a digit or a symbol (a word, a name, a
 * number or a date does not), and is varied: generated keys (hex, base64) and chosen passwords (`Summer2024!Kq`)
 * pass; `manager`, `expired`, `2025-03-04`, `config.yaml`, a ticket key (`JIRA-1234`), a URL or a mail address fail.
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.length < MIN_VALUE || value.length > 512) return false
  if (!/\p{L}/u.test(value)) return false
  if (!/[0-9!#$%&*+?@^~|\\]/.test(value)) return false
  if (value.includes('://') || /@[\w-]+\./.test(value)) return false
  if (/^[A-Z][A-Z0-9]{1,9}-\d+$/.test(value)) return false // a ticket or issue key
  if (/^[\w-]+\.[a-z]{2,4}$/.test(value)) return false // a file name
  if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(value)) return false // a host name (`db01.internal`) or a version
  if (/^[/~]|^\.\.?\//.test(value)) return false // a path
  if (/^<|^\$|^\{|^%|^x+$|^your/i.test(value)) return false // placeholders
  if (/^\p{L}+[?!]+$/u.test(value)) return false // a word and its sentence's mark ("Token expired?")
  const h = shannonEntropy(value)
  return value.length >= 16 ? h >= 3 : h >= 2.5
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

// `"` `<` `>` and the backtick.
function isStop(c: number): boolean {
  return c === 34 || c === 60 || c === 62 || c === 96
}

function isSpaceOrQuote(c: number): boolean {
  return isSpace(c) || c === 34 || c === 39
}
