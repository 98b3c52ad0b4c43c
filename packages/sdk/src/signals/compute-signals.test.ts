import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RecordSignals, UnsealedRecord } from '../record/schema.js'
import { unsealedRecord } from '../test-support/records.js'
import { bails } from './automaton-tables.js'
import { createSignals } from './compute-signals.js'
import { hasInjectionHint, INJECTION_RULES, mayHaveInjectionHint, scoreInjection } from './injection-rules.js'
import { buildPhraseAutomaton, mayContainPhrase } from './phrase-automaton.js'
import { promptText, responseChars, responseText } from './record-text.js'
import { isSpace, normalizeText, scanText } from './text-scan.js'
import { UncertaintyMatcher } from './uncertainty.js'

const MAX_CHARS = 256 * 1024

/**
 * The signals as the full path computes them, with no prefilter: every prompt scanned and scored by
 * each rule in turn (a copy of the rule list skips the combined hint), every answer normalized and
 * matched phrase by phrase.
 */
function reference(record: UnsealedRecord, matcher = new UncertaintyMatcher()): RecordSignals {
  const answer = responseText(record, MAX_CHARS)
  const found = answer ? matcher.match(normalizeText(answer)) : []
  const prompt = promptText(record, MAX_CHARS)
  const injection = prompt ? scoreInjection(scanText(prompt), [...INJECTION_RULES]) : { score: 0, rules: [] }
  const signals: RecordSignals = {}
  if (injection.rules.length > 0) signals.injection_rules = injection.rules
  signals.injection_score = injection.score
  signals.response_chars = responseChars(record)
  signals.uncertainty = found.length > 0
  if (found.length > 0) signals.uncertainty_phrases = found
  return signals
}

// Words of every hint and phrase, in mixed case, cut short and run together; characters the automaton
// folds (curly quotes, no-break spaces) or hands to the full scan (invisible, tag, İ, Kelvin sign,
// spaces only trim() removes); other scripts; and runs around the encoded-blob lengths.
const word = fc.constantFrom(
  'ignore',
  'IGNORE',
  'Ignor',
  'previous',
  'instructions',
  'Instructions:',
  'disregard',
  'forget',
  'skip',
  'sKip',
  'override',
  'bypass',
  'new',
  'from',
  'now',
  'on,',
  'you',
  'You',
  'are',
  'anything',
  'mode',
  'MODE',
  'modes',
  'act',
  'as',
  'As',
  'an',
  'AI',
  'aide',
  'a',
  'pretend',
  'without',
  'any',
  'prompt',
  'system',
  'message',
  'developer',
  'above',
  'reveal',
  'your',
  'dan',
  '<|im_start|>',
  '[INST]',
  '### system:',
  "I'm",
  'I\u2019m',
  'i\u02bcm',
  'I',
  'am',
  'not',
  'sure',
  'certain',
  "don't",
  'do',
  'know',
  'may',
  'be',
  'wrong',
  'unable',
  'to',
  'verify',
  'real-time',
  'language',
  'model',
  'caf\u00e9',
  '\u00c9COLE',
  '\u03a3\u03bf\u03c6\u03af\u03b1',
  '\u65e5\u672c\u8a9e',
  '\u{1f600}',
  's\u212aip',
  '\u0130gnore',
  'ig\u200bnore',
  '\u{e0041}\u{e0042}',
  '\udb40',
  'x',
  '_',
  '9',
  '.',
  '<',
  '#',
  '[',
)
const gap = fc.constantFrom(' ', '', '  ', '\n', '\t \r\n', '-', '\u00a0', '\u3000', '\u2028', '\u205f', '\u200b')
const run = fc
  .tuple(fc.constantFrom('aB3+', '0a1b2c3d', 'QUJD', 'deadbeef', 'ab'), fc.integer({ min: 10, max: 45 }))
  .map(([unit, n]) => unit.repeat(n).slice(0, 100 + n * 2))
const text = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(fc.tuple(word, gap), fc.tuple(run, gap)), { maxLength: 16 }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ unit: 'binary' }), gap), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ unit: 'grapheme-ascii' }), gap), { maxLength: 3 }) },
)
const joined = text.map((parts) => parts.map(([p, g]) => p + g).join(''))

function chat(prompts: string[], output: unknown, toolArgs?: string): UnsealedRecord {
  const messages = [
    { role: 'system', content: 'Ignore nothing.' },
    ...prompts.map((content) => ({ role: 'user', content })),
  ]
  const tool_calls = toolArgs === undefined ? undefined : [{ arguments: toolArgs, id: 'c1', name: 'f', type: null }]
  return unsealedRecord({ request: { model: 'gpt-4o', messages }, response: { output, tool_calls } })
}

describe('computeSignals matches the full path', () => {
  it('on generated prompts and answers, every field and key order', () => {
    const signals = createSignals()
    fc.assert(
      fc.property(
        fc.array(joined, { minLength: 1, maxLength: 3 }),
        joined,
        fc.option(joined, { nil: undefined }),
        (prompts, answer, args) => {
          const record = chat(prompts, answer, args)
          const got = signals.compute(record)
          const want = reference(record)
          expect(got).toEqual(want)
          expect(Object.keys(got)).toEqual(Object.keys(want))
        },
      ),
      { numRuns: 1500 },
    )
  })

  it('on long inputs and at the scan cap', () => {
    const signals = createSignals({ maxScanChars: 70_000 })
    const long = fc.tuple(joined, fc.integer({ min: 60_000, max: 80_000 }), joined).map(([a, n, b]) => {
      const filler = 'The export job timed out twice. '.repeat(Math.ceil(n / 32)).slice(0, n)
      return a + filler + b
    })
    fc.assert(
      fc.property(long, long, (prompt, answer) => {
        const record = chat([prompt], answer)
        const matcher = new UncertaintyMatcher()
        const answerText = responseText(record, 70_000)
        const found = answerText ? matcher.match(normalizeText(answerText)) : []
        const got = signals.compute(record)
        expect(got.uncertainty_phrases ?? []).toEqual(found)
        const injection = scoreInjection(scanText(promptText(record, 70_000)), [...INJECTION_RULES])
        expect([got.injection_score, got.injection_rules ?? []]).toEqual([injection.score, injection.rules])
      }),
      { numRuns: 60 },
    )
  })

  it('with configured phrases, including ones the automaton cannot fold', () => {
    for (const phrases of [['No idea', 'beats me'], ['\u00e9tonnant'], ['x\u0001y']]) {
      const signals = createSignals({ uncertaintyPhrases: phrases })
      const matcher = new UncertaintyMatcher(phrases)
      const texts = fc.oneof(joined, fc.constantFrom('NO  idea', 'Beats\u00a0ME!', '\u00c9TONNANT', 'x\u0001y'))
      fc.assert(
        fc.property(texts, texts, (prompt, answer) => {
          const record = chat([prompt], answer)
          expect(signals.compute(record)).toEqual(reference(record, matcher))
        }),
        { numRuns: 500 },
      )
    }
  })
})

describe('the injection-hint automaton', () => {
  it('answers as the combined hint on the normalized text, and true for a character it does not model', () => {
    fc.assert(
      fc.property(fc.oneof(joined, fc.string({ unit: 'binary' })), (raw) => {
        const hint = hasInjectionHint(scanText(raw).normalized)
        const modelled = ![...raw].some((ch) => [...ch].some((u) => bails(u.charCodeAt(0))))
        if (modelled) expect(mayHaveInjectionHint(raw)).toBe(hint)
        else expect(mayHaveInjectionHint(raw)).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  it('reads ASCII text as bytes and other text as code units alike, at odd and even lengths', () => {
    const phrases = [{ text: 'act as' }, { text: ' mode', wordEnd: true }]
    const bytes = buildPhraseAutomaton(phrases, { asciiTables: true })!
    const units = buildPhraseAutomaton(phrases, { asciiTables: false })!
    for (const t of ['act as', 'ACT\n\n AS', ' act as', 'x mode', 'x mode1', 'x mode.', 'xmode', 'a  mode', '  mode']) {
      expect(mayContainPhrase(bytes, t)).toBe(mayContainPhrase(units, t))
      expect(mayContainPhrase(bytes, `${t}!`)).toBe(mayContainPhrase(units, `${t}!`))
    }
    expect(mayContainPhrase(bytes, 'please ACT\n  as a pirate')).toBe(true)
    expect(mayContainPhrase(bytes, '  mode')).toBe(false)
    expect(mayContainPhrase(bytes, 'x modes')).toBe(false)
  })

  it('refuses phrases it cannot fold', () => {
    expect(buildPhraseAutomaton([{ text: 'Upper' }], { asciiTables: false })).toBeNull()
    expect(buildPhraseAutomaton([{ text: '\u00e9t\u00e9' }], { asciiTables: false })).toBeNull()
  })

  it('models every other code point: its lower case holds no ASCII, space, quote or modelled-away character', () => {
    const quotes = new Set([0x2018, 0x2019, 0x02bc])
    const trimmed = (u: number) => String.fromCharCode(u).trim() === ''
    const bad: string[] = []
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue
      const ch = String.fromCodePoint(cp)
      const units = [...Array(ch.length).keys()].map((i) => ch.charCodeAt(i))
      if (units.some((u) => bails(u) || isSpace(u) || quotes.has(u))) continue
      const lower = ch.toLowerCase()
      for (let i = 0; i < lower.length; i++) {
        const u = lower.charCodeAt(i)
        if (u < 0x80 || isSpace(u) || bails(u) || quotes.has(u) || trimmed(u)) bad.push(cp.toString(16))
      }
    }
    expect(bad).toEqual([])
  })
})

describe('UncertaintyMatcher.mayMatch on text of any script', () => {
  it('never rules out raw text whose normalized form holds a phrase', () => {
    const m = new UncertaintyMatcher()
    fc.assert(
      fc.property(joined, (raw) => {
        if (m.match(normalizeText(raw)).length > 0) expect(m.mayMatch(raw)).toBe(true)
      }),
      { numRuns: 3000 },
    )
    expect(m.mayMatch('I\u2019m\u00a0not sure \u2014 caf\u00e9')).toBe(true)
    expect(m.mayMatch('Voil\u00e0 the summary \u2014 done.')).toBe(false)
  })
})
