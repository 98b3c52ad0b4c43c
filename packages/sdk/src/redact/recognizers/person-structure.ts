import type { Finding } from '../recognizer.js'
import { contextBefore, STRONG_CONTEXT } from './person-context.js'
import { isLetter } from './person-evidence.js'
import { BREAK, CASE, CASED_LOWER, CASED_UPPER, classify, NAME } from './person-lexicon.js'
import { placeWord, TEAM } from './person-places.js'

// PERSON from the structure a text is written in rather than from its words: the display name of a mail address, and
// the speakers of a chat log. Both are read apart from the main scan, whose capitalisation rules they do not need.

// "Margaux Lefèvre <margaux.lefevre@atelier.fr>": up to four capitalised words right before an address in angle brackets.
const DISPLAY_NAME =
  /(?<![\p{L}\p{N}])(\p{Lu}[\p{L}'’-]{0,30}(?:[ ]{1,2}\p{Lu}[\p{L}'’.-]{0,30}){0,3})[ ]{0,2}<([^\s<>@]{1,64})@[^\s<>]{1,255}>/gu

/**
 * The display name before a mail address in angle brackets is a person's when one of its words stands in the address's
 * local part ("Margaux Lefèvre <margaux.lefevre@…>", "Kenji Watanabe <kwatanabe@…>"): a sender's own name, whatever
 * the name lists hold. A team's or a product's ("Billing Team <billing@…>", "Acme Notifications <noreply@…>") is not.
 */
export function displayNames(text: string, out: Finding[]): void {
  if (text.indexOf('@') === -1 || text.indexOf('<') === -1) return
  DISPLAY_NAME.lastIndex = 0
  for (let m = DISPLAY_NAME.exec(text); m !== null; m = DISPLAY_NAME.exec(text)) {
    const name = m[1]!
    const local = fold(m[2]!)
    let own = false
    let team = false
    for (const word of name.split(/[ ]+/)) {
      if (placeWord(word, 0, word.length) & TEAM) team = true
      const w = fold(word)
      if (w.length >= 3 && local.includes(w)) own = true
    }
    if (own && !team)
      out.push({ type: 'PERSON', start: m.index, end: m.index + name.length, score: 0.85, recognizer: 'person' })
  }
}

/** Lower case without accents and without anything but letters: what a mailbox name keeps of a name. */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[^\p{L}]/gu, '')
    .toLowerCase()
}

// A greeting and a name in lower case in text that has capitals elsewhere: "hi jess, I moved!", "oye pablo, pásame".
// Hot path: no look-behind and no Unicode mode, so the engine skips to the greetings' first letters; the characters
// around the match are checked by hand.
const GREETED =
  /(?:hi|hey|hello|hiya|hola|oye|salut|ciao|hallo|hoi|moin|olá|oi)[ ,]{1,2}([a-z][a-z\u00e0-\u00ff'-]{1,20})/g

/**
 * A name written in lower case right after a greeting, where the main scan reads only capitalised words: a given
 * name the name lists hold ("hi jess", "salut théo"), not a word ("hi there", "hey guys").
 */
export function greetedNames(text: string, out: Finding[]): void {
  GREETED.lastIndex = 0
  for (let m = GREETED.exec(text); m !== null; m = GREETED.exec(text)) {
    const word = m[1]!
    const end = m.index + m[0].length
    if ((m.index > 0 && isLetter(text.charCodeAt(m.index - 1))) || isLetter(text.charCodeAt(end))) continue
    if (classify(word, 0, word.length) !== NAME) continue
    out.push({ type: 'PERSON', start: end - word.length, end, score: 0.7, recognizer: 'person' })
  }
}

// A list of people after its label, in lower case: "attendees: sanjay, aditi kulkarni, femi".
const LIST_LABELS = new Set(['attendees', 'participants', 'present', 'invitees', 'reviewers', 'assignees', 'cc'])
const LIST_ITEM = /([a-z][a-z'-]{1,20})(?:[ ]([a-z][a-z'-]{1,20}))?(?=[ ]*(?:,|;|$|\n|and\b))/gy

/**
 * The people of a list after its label in lower case ("attendees: sanjay, aditi kulkarni, femi"), for the colon at
 * `colon`: an item that opens with a given name the name lists hold is a person, with the word after it when that is
 * no English word (a surname). Hot path: the labels are found from the text's colons, not by a search over the text.
 */
function listAfter(text: string, colon: number, out: Finding[]): void {
  let end = colon
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--
  let start = end
  while (start > 0 && end - start <= 12 && isLetter(text.charCodeAt(start - 1))) start--
  if (end - start < 2 || end - start > 12 || !LIST_LABELS.has(text.slice(start, end).toLowerCase())) return
  let at = colon + 1
  while (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9) at++
  for (let items = 0; items < 12; items++) {
    LIST_ITEM.lastIndex = at
    const item = LIST_ITEM.exec(text)
    if (item === null) break
    const first = item[1]!
    if (classify(first, 0, first.length) !== NAME) break
    const second = item[2]
    const itemEnd =
      item.index + (second && classify(second, 0, second.length) !== BREAK ? item[0].length : first.length)
    out.push({ type: 'PERSON', start: item.index, end: itemEnd, score: 0.7, recognizer: 'person' })
    // On past the separator to the next item.
    let next = item.index + item[0].length
    while (next < text.length && (text[next] === ' ' || text[next] === ',' || text[next] === ';')) next++
    if (text.startsWith('and ', next)) next += 4
    if (next >= text.length || text[next] === '\n') break
    at = next
  }
}

/**
 * People after a colon, the text's colons walked once: a list of people after its label in lower case (listAfter)
 * and a name in capitals after a person's role (capitalNameAfter, for the first MAX_ROLE_COLONS colons).
 */
export function namesAfterColons(text: string, out: Finding[]): void {
  let colons = 0
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1), colons++) {
    listAfter(text, colon, out)
    if (colons < MAX_ROLE_COLONS) capitalNameAfter(text, colon, out)
  }
}

// A known given name in lower case right before a verb only people take, in text that opens in lower case but has
// capitals elsewhere ("sana said she'd sort it", "priyanka desai accepted!"); text without any capitals is read
// word by word by the main scan already.
const LOWER_NAME_VERB =
  /(?<![\p{L}\p{N}_@.'’-])([a-z][a-z'-]{2,14})(?: ([a-z][a-z'-]{2,20}))? (?:said|says|asked|asks|told|wrote|replied|texted|called|emailed|mentioned|confirmed|suggested|agreed|accepted|declined|wants|prefers|thinks|feels|joined|left)(?![\p{L}])/gu

/** See LOWER_NAME_VERB: the name, with the word after it when that is a surname (no English word). */
export function lowerNamesBeforeVerbs(text: string, out: Finding[]): void {
  LOWER_NAME_VERB.lastIndex = 0
  for (let m = LOWER_NAME_VERB.exec(text); m !== null; m = LOWER_NAME_VERB.exec(text)) {
    const first = m[1]!
    if (classify(first, 0, first.length) !== NAME) {
      // The second word may be the name on its own ("then sana said"): go on from it.
      LOWER_NAME_VERB.lastIndex = m.index + first.length + 1
      continue
    }
    const second = m[2]
    const end =
      m.index + first.length + (second && classify(second, 0, second.length) !== BREAK ? second.length + 1 : 0)
    out.push({ type: 'PERSON', start: m.index, end, score: 0.6, recognizer: 'person' })
  }
}

// At most this many colons are read for names in capitals (a long log of `key: VALUE` lines costs no more).
const MAX_ROLE_COLONS = 256
// Words of a name in capitals: at most this many, each of two letters or more.
const MAX_CAPITAL_WORDS = 4

/**
 * A name in capitals after a person's role on a form, for the colon at `c` ("PATIENT: GEORGE OYELARAN", "Paziente:
 * COSTA GIANLUCA", "name on card: LEILA MANSOURI", `"holder": "ZHANG YUTING"`), which the main scan reads as acronyms:
 * up to four words in capitals after the key's colon, none of them an English word ("BORROWER: SEE ATTACHED" is none), and a short
 * unknown word before a number or `#` left out ("CARLOS MENDIETA NMLS #118822").
 */
function capitalNameAfter(text: string, c: number, out: Finding[]): void {
  let v = c + 1
  while (v < text.length && v - c <= 3 && (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 34)) v++
  if (!isCapital(text.charCodeAt(v)) || !isCapital(text.charCodeAt(v + 1))) return
  const end = capitalNameEnd(text, v)
  if (end > v && contextBefore(text, v) === STRONG_CONTEXT) {
    out.push({ type: 'PERSON', start: v, end, score: 0.85, recognizer: 'person' })
  }
}

/** End of the name in capitals from `at` (see capitalNameAfter), or -1 when what stands there is none. */
function capitalNameEnd(text: string, at: number): number {
  let end = -1
  let i = at
  for (let words = 0; words < MAX_CAPITAL_WORDS; words++) {
    const start = i
    while (i < text.length && (isCapital(text.charCodeAt(i)) || joinsCapitals(text, i))) i++
    const length = i - start
    const next = text.charCodeAt(i)
    // A word with a lower-case letter, a digit or an identifier's `_` glued on is no name part in capitals
    // (`PAYMENT_API_KEY`).
    if (length < 2 || !endsWord(next)) return words === 0 ? -1 : end
    const cls = classify(text, start, i)
    // An English word first is no name ("SEE ATTACHED"); after a name it ends it ("ADEYEMI/TUNDE MR").
    if (cls === BREAK) return words === 0 ? -1 : end
    // A short unknown word before a number or `#` is a code ("NMLS #118822", "SSN 044-83-1927").
    if (length <= 4 && cls !== NAME && next === 32 && isDigitOrHash(text.charCodeAt(i + 1))) return end
    end = i
    if (next !== 32 || !isCapital(text.charCodeAt(i + 1)) || !isCapital(text.charCodeAt(i + 2))) return end
    i++
  }
  return end
}

function isCapital(c: number): boolean {
  return c < 0x2000 && (CASE[c]! & (CASED_UPPER | CASED_LOWER)) === CASED_UPPER
}

/** What may follow a name's word: a space, a line's or the text's end, a quote, or `,` `;` `.` `)`. */
function endsWord(c: number): boolean {
  return (
    Number.isNaN(c) ||
    c === 32 ||
    c === 10 ||
    c === 13 ||
    c === 9 ||
    c === 34 ||
    c === 39 ||
    c === 44 ||
    c === 59 ||
    c === 46 ||
    c === 41
  )
}

function isDigitOrHash(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 35
}

/** A hyphen, apostrophe or an airline's slash between two capitals ("KLAUS-PETER", "O'NEIL", "ADEYEMI/TUNDE"). */
function joinsCapitals(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  return (c === 45 || c === 39 || c === 47) && isCapital(text.charCodeAt(i - 1)) && isCapital(text.charCodeAt(i + 1))
}

// A chat log's speaker in lower case: a line opening with a word and a colon ("priya: can u send me the creds").
const SPEAKER = /^([a-z][a-z'-]{1,20}):[ \t]/gm
const LINE_LABEL = /^[\p{L}][\p{L}'’ -]{0,30}:[ \t]/u

/**
 * The speakers of a chat log written in lower case ("priya: …", "arjun: …"): in a text of two lines or more that open
 * with a label and a colon, a label that the name lists hold as a given name is a person, and so is the same word
 * written elsewhere in the text ("what's deepika's number?" once deepika has spoken). Capitalised speakers are the main
 * scan's.
 */
export function chatSpeakers(text: string, out: Finding[]): void {
  if (text.indexOf('\n') === -1 || text.indexOf(':') === -1) return
  // Two lines that open with a label, looked for line by line (a multi-line regex would try every position).
  let labels = 0
  for (let at = 0; ; ) {
    if (LINE_LABEL.test(text.slice(at, at + 34)) && ++labels === 2) break
    const nl = text.indexOf('\n', at)
    if (nl === -1) return
    at = nl + 1
  }
  const names = new Set<string>()
  SPEAKER.lastIndex = 0
  for (let m = SPEAKER.exec(text); m !== null; m = SPEAKER.exec(text)) {
    const word = m[1]!
    if (classify(word, 0, word.length) === NAME) names.add(word)
  }
  for (const name of names) {
    for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + name.length)) {
      const before = at > 0 ? text.charCodeAt(at - 1) : 32
      const after = at + name.length < text.length ? text.charCodeAt(at + name.length) : 32
      if (isWordCode(before) || isWordCode(after)) continue
      out.push({ type: 'PERSON', start: at, end: at + name.length, score: 0.7, recognizer: 'person' })
    }
  }
}

function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 0xc0
}

// A name in Chinese, Japanese or Korean script after the field that holds it and its colon or space: contact, name,
// cardholder, recipient, person in charge ("联系人：张伟", "持卡人 陈佳慧", "名義：中村浩", "이름: 김민준"). The script has no capitals
// and no spaces between words, so the field is the evidence.
const CJK_FIELD =
  /(?:联系人|聯絡人|姓名|名字|持卡人|收件人|收货人|收貨人|负责人|負責人|氏名|名前|名義|担当者|お名前|宛名|이름|성명|담당자|고객명|받는\s?사람|예금주)(?:\s{0,2}[：:]\s{0,2}|\s{1,2})((?:[\u4e00-\u9fff]{2,4})|(?:[\uac00-\ud7a3]{2,4}))(?![\u4e00-\u9fff\uac00-\ud7a3])/g
const CJK = /[\u4e00-\u9fff\uac00-\ud7a3]/

/** Names in CJK script after the field that holds them (see CJK_FIELD); only for text that holds such script. */
export function cjkFieldNames(text: string, out: Finding[]): void {
  if (!CJK.test(text)) return
  CJK_FIELD.lastIndex = 0
  for (let m = CJK_FIELD.exec(text); m !== null; m = CJK_FIELD.exec(text)) {
    const name = m[1]!
    const end = m.index + m[0].length
    out.push({ type: 'PERSON', start: end - name.length, end, score: 0.85, recognizer: 'person' })
  }
}
