import type { Finding, Recognizer } from '../recognizer.js'
import { AMBIGUOUS, BREAK, NAME, personLexicon } from './person-lexicon.js'

// A capitalised word (any script with case), with inner capitals (McDonald), apostrophes and hyphens (O'Neil,
// Jean-Luc) and an optional initial's dot. The groups are separated by literal punctuation, so the scan is linear.
const WORD = /(?<![\p{L}\p{N}_@+\-./\\])\p{Lu}[\p{Ll}\p{M}]*(?:\p{Lu}[\p{Ll}\p{M}]+)?(?:['’-]\p{L}[\p{Ll}\p{M}]*)*\.?/gu
// Words that announce a name right after them: greetings, titles, sign-offs, "my name is", JSON keys.
const BEFORE =
  /(?:\b(?:my name is|name is|names are|i am|i'm|this is|dear|hi|hello|hey|thanks|thank you|regards|sincerely|cheers|best|mr|mrs|ms|mx|miss|dr|prof|sir|madam|called|named|customer|user|patient|client|employee|agent|signed|attn|contact|manager|colleague|friend|wife|husband|son|daughter|mother|father|brother|sister|boss|assigned to|written by|directed by|by|name|full[_ ]?name|first[_ ]?name|last[_ ]?name|surname|author|owner|username|holder|recipient|sender|from|to|cc|ask|tell|met|with|and)\b)["']?[ \t]*[:=]?[ \t]*["']?[ \t\n]*$/i
// The same words when they are capitalised inside a run ("Dear", "Mr."): stripped from the run, counted as context.
const LEADERS = new Set(['dear', 'hi', 'hello', 'hey', 'mr', 'mrs', 'ms', 'mx', 'miss', 'dr', 'prof', 'sir', 'madam', 'thanks', 'regards', 'sincerely', 'cheers', 'best', 'customer', 'user', 'patient', 'client', 'agent', 'by', 'from', 'to', 'cc', 'attn', 'name', 'contact'])
const STRONG_BEFORE = /\b(?:my name is|name is|i am|i'm|dear|mr|mrs|ms|mx|miss|dr|prof|regards|sincerely|signed|name|full[_ ]?name|first[_ ]?name|last[_ ]?name|surname|username|customer|user|patient|client|author|directed by|written by)\b["']?[ \t]*[:=]?[ \t]*["']?[ \t\n,.]*$/i

interface Word {
  start: number
  end: number
  cls: number // NAME, AMBIGUOUS, BREAK, or 0 for unknown
  initial: boolean
}

/**
 * PERSON without a model: capitalised words are tokenised once and looked up in one Map (name parts, ordinary
 * words, places); runs of name-like words become candidates, scored by how many parts are known names and by
 * context (greetings, titles, "my name is", sign-offs, JSON keys such as "name" or "customer").
 *
 * @example
 * personRecognizer.find('Dear Maria Lopez, thanks') // one PERSON finding for "Maria Lopez"
 */
export const personRecognizer: Recognizer = {
  name: 'person',
  entities: ['PERSON'],
  find(text: string): Finding[] {
    const lex = personLexicon()
    const out: Finding[] = []
    let run: Word[] = []
    WORD.lastIndex = 0
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      let end = m.index + m[0].length
      let word = m[0]
      const initial = word.length <= 2 && word.endsWith('.') ? true : word.length === 1
      if (word.endsWith('.') && !initial) {
        word = word.slice(0, -1)
        end--
      }
      if (word.endsWith("'s") || word.endsWith('’s')) {
        word = word.slice(0, -2)
        end -= 2
      }
      const w: Word = { start: m.index, end, cls: initial ? 0 : (lex.get(word.toLowerCase()) ?? 0), initial }
      const prev = run[run.length - 1]
      if (prev && !(w.start - prev.end <= 2 && isJoin(text, prev.end, w.start))) {
        score(text, run, out)
        run = []
      }
      run.push(w)
    }
    if (run.length > 0) score(text, run, out)
    return out
  },
}

/** Two words belong to one name when only a space (or an initial's dot and a space) separates them. */
function isJoin(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 32) return false
  return to > from
}

function score(text: string, words: Word[], out: Finding[]): void {
  // Leading greeting or title words are context, not part of the name.
  let i = 0
  let leader = false
  while (i < words.length && LEADERS.has(text.slice(words[i]!.start, words[i]!.end).replace(/\.$/, '').toLowerCase())) {
    leader = true
    i++
  }
  // Split the rest on words that cannot be part of a name.
  let from = i
  for (let j = i; j <= words.length; j++) {
    if (j === words.length || words[j]!.cls === BREAK) {
      if (j > from) candidate(text, words.slice(from, j), out, leader && from === i)
      from = j + 1
    }
  }
}

function candidate(text: string, words: Word[], out: Finding[], leader: boolean): void {
  while (words.length > 0 && words[words.length - 1]!.initial) words = words.slice(0, -1)
  if (words.length === 0 || words.length > 4 || (words.length === 1 && words[0]!.initial)) return
  const start = words[0]!.start
  const end = words[words.length - 1]!.end
  let names = 0
  let ambiguous = 0
  let unknown = 0
  let initials = 0
  for (const w of words) {
    if (w.cls === NAME) names++
    else if (w.cls === AMBIGUOUS) ambiguous++
    else if (w.initial) initials++
    else unknown++
  }
  const before = text.slice(Math.max(0, start - 40), start)
  const strong = leader || STRONG_BEFORE.test(before)
  const weak = strong || BEFORE.test(before)
  const atStart = sentenceStart(text, start)
  const parts = names + ambiguous + unknown
  let s = 0
  if (parts >= 2 && (names >= 1 || initials >= 1 || strong)) s = 0.85
  else if (parts >= 2) s = weak ? 0.6 : atStart && !hasNonAscii(text, start, end) ? 0.4 : ambiguous > 0 ? 0.5 : 0.55
  else if (names === 1) s = strong ? 0.85 : atStart ? (weak || speaker(text, end) ? 0.6 : 0.5) : 0.6
  else if (unknown === 1) s = strong ? 0.8 : 0.2
  else if (ambiguous === 1) s = strong ? 0.7 : 0.2
  if (s === 0) return
  out.push({ type: 'PERSON', start, end, score: s, recognizer: 'person' })
}

/** A dialogue or chat label: `Name:` at the start of a line. */
function speaker(text: string, end: number): boolean {
  return text.charCodeAt(end) === 58 && (text.charCodeAt(end + 1) === 32 || text.charCodeAt(end + 1) === 34)
}

function hasNonAscii(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > 127) return true
  return false
}

/** At the start of the text, a line or a sentence, where any word is capitalised. */
function sentenceStart(text: string, at: number): boolean {
  let i = at - 1
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39 || text.charCodeAt(i) === 40)) i--
  if (i < 0) return true
  const c = text.charCodeAt(i)
  return c === 46 || c === 33 || c === 63 || c === 10 || c === 13 || c === 58 || c === 9
}
