import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultRecognizers, profileGate } from './default-recognizers.js'
import { CONTEXT_PHRASES, GATE_LITERALS, PREFIXES, SUFFIXES, TYPES } from './recognizers/street-words.js'
import { trieSource } from './regex-trie.js'
import {
  ADDRESS_PHRASE,
  AT,
  AUTH_WORD,
  CAPITAL_NOT_I,
  CARD_RUN,
  CONJUNCTION,
  capitalPositions,
  DASHES,
  DIGIT,
  DOT_WORD,
  DOTTED_QUAD,
  digitsEnd,
  firstCardIndex,
  firstDigitIndex,
  firstLetterIndex,
  firstQuadIndex,
  firstSchemeIndex,
  firstSsnIndex,
  GERMAN_TEXT,
  HEX_COLONS,
  hexColonStarts,
  IBAN_HEAD,
  KEY_MARKER,
  NAME_IS,
  NON_ASCII,
  SECRET_KEY_ASSIGNMENT,
  SECRET_WORD,
  SEVEN_DIGITS,
  SSN_SHAPE,
  STREET_PREFIX_WORD,
  STREET_TYPE_WORD,
  STREET_UNIT_WORD,
  STREET_WORD,
  SUFFIX_THEN_NUMBER,
  TYPE_TAIL_THEN_NUMBER,
  textProfile,
  URL_SCHEME,
} from './text-profile.js'
import { GERMAN_WORDS } from './text-words.js'

// Each bit is a gate: a recognizer skips its pattern when the bit is off. These are the patterns (or the regex gates
// they replaced) that a set bit must cover: whenever one matches, its bit must be on.
const ASCII_GATE_WORDS = new RegExp(
  `\\b(?:${trieSource(GATE_LITERALS.filter((w) => !/[^ -~]/.test(w)))}|p\\.?\\s?o\\.?\\s?box)\\b`,
  'i',
)
const ASCII_ONLY: Array<[number, RegExp]> = [
  [SUFFIX_THEN_NUMBER, new RegExp(`\\d(?<=(?:${SUFFIXES})\\s{1,3}\\d)`, 'i')],
  [STREET_PREFIX_WORD, new RegExp(`(?:^|[^A-Za-z])(?:${PREFIXES})[ ]`, 'i')],
  [TYPE_TAIL_THEN_NUMBER, new RegExp(`\\d(?<=(?:${TYPES}|${SUFFIXES}|u\\.)[ ]{1,3}\\d)`, 'i')],
]
// The unit pattern itself (its keywords stand alone in a match; the hint regex it replaced matched them anywhere).
const UNIT =
  /(?<![A-Za-z\u00C0-\u024F0-9])(?:(?:apt|apartment|suite|ste|unit|flat)\.?[ ]{0,2}#?\d|p\.?[ ]?o\.?[ ]?box[ ]{1,2}\d|postbox[ ]{1,2}\d|(?:psc|cmr)[ ]{1,2}\d|usn[sv][ ]{1,2}[A-Z]|[afd]po[ ]{1,2}a[aep][ ]{1,2}\d|(?:postbus|postfach)[ ]{1,2}\d|apartado[ ](?:de[ ]correos|postal)[ ]{1,2}\d|caixa[ ]postal[ ]{1,2}\d|casella[ ]postale[ ]{1,2}\d|boite[ ]postale[ ]{1,2}\d|skrytka[ ]pocztowa[ ]{1,2}\d|rr[ ]{1,2}\d{1,3},?[ ]{1,2}box)/i
// The address-context pattern's opening (the rest of it only narrows).
const CONTEXT_OPENING =
  /(?<![A-Za-z\u00C0-\u024F])(?:address|lives?[ ]at|living[ ]at|located[ ]at|live[ ]in|resides?[ ]at|moved[ ]to|ship(?:ped)?[ ]to|deliver(?:ed)?[ ]to|mail(?:ed)?[ ]to|send[ ](?:it[ ]|this[ ]|them[ ]|a[ ]new[ ]one[ ])?to|return(?:ed)?[ ](?:it[ ])?to|meet[ ](?:me[ ])?at)/i
const ALL_TEXTS: Array<[number, RegExp]> = [
  [DOT_WORD, /(?<![A-Za-z])dot(?![A-Za-z])/i],
  [ADDRESS_PHRASE, CONTEXT_OPENING],
  [STREET_UNIT_WORD, UNIT],
  [STREET_WORD, ASCII_GATE_WORDS],
  [STREET_TYPE_WORD, new RegExp(`\\b(?:${trieSource(TYPES.split('|'))})\\b`, 'i')],
  [SEVEN_DIGITS, /\d(?:[ \-.()/+]{0,2}\d){6}/],
  [CARD_RUN, /\d(?<![\w.-]\d)(?:[ .-]?\d){11,18}(?![\w])/],
  [SSN_SHAPE, /(\d(?<![\w.-]\d)\d{2})([- .]?)(\d{2})\2(\d{4})(?![\w]|-\d)/],
  [DOTTED_QUAD, /\d(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}/],
  [HEX_COLONS, /:[0-9A-Fa-f]{0,4}:/],
  [IBAN_HEAD, /\d\d(?<=(?<![A-Za-z0-9])[A-Za-z]{2}\d\d)/],
  [
    KEY_MARKER,
    new RegExp(
      `\\b(?:${trieSource([
        'sk-',
        ...['sk', 'rk', 'pk'].flatMap((p) => [`${p}_live_`, `${p}_test_`]),
        ...['AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA', 'AIza'],
        ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'xox', 'whsec_', 'hf_', 'npm_', 'eyJ'],
        ...['shpat_', 'shpca_', 'shppa_', 'shpss_', 'https://hooks.slack.com/'],
        ...['https://discord.com/api/webhooks/', 'https://discordapp.com/api/webhooks/'],
        ...['https://ptb.discord.com/api/webhooks/', 'https://canary.discord.com/api/webhooks/'],
      ])})`,
    ),
  ],
  [AUTH_WORD, /\b(?:Bearer|Basic|Token)[ \t]/],
  [
    SECRET_KEY_ASSIGNMENT,
    /[:=](?<=(?:pass|passwd|password|passphrase|pwd|secret|key|token|credentials?)["']?[ \t]{0,8}[:=])/i,
  ],
  // The openers of secret-prose.ts.
  [
    SECRET_WORD,
    /(?<![A-Za-z0-9_\u00C0-\u024F])(?:pass(?:word|wort|wd|code|phrase|ord)|pwd?|kennwort|wachtwoord|contrase(?:ñ|n)a|senha|mot de passe|salasana|adgangskode|secret|token|(?:api|access|secret|private|signing) ?key|logins?|credentials|creds|mysql(?:dump|admin)?)(?![A-Za-z0-9_\u00C0-\u024F])/i,
  ],
  [DASHES, /-----BEGIN/],
  [URL_SCHEME, /:\/\//],
  [CONJUNCTION, / and | & /],
  [NAME_IS, /(?<![A-Za-z])name(?: is |['’]s )/i],
  [CAPITAL_NOT_I, /[A-HJ-Z]|I[A-Za-z]|[A-Za-z]I/],
  [AT, /@/],
  [DIGIT, /\d/],
]

// Pieces that sit near the edges of every gate: digit groups and separators, street words and suffixes, key
// openers, colons and hex, conjunctions, capitals, and letters outside ASCII.
const piece = fc.constantFrom(
  ...['1', '12', '123', '4111', '45', '6780', '0', '555', '2025'],
  ...[' ', '  ', '-', '.', '(', ')', '/', '+', ':', '::', '@', '=', '&', '?', '_', '\n', '\t', ','],
  ...['Street', 'st', 'Rd', 'ave', 'Way', 'road', 'rua', 'via', 'ul.', 'Str.', 'Platz', 'strasse', 'katu', 'vej', 'u.'],
  ...['Hauptstr.', 'Ringvej', 'Kiannonkatu', 'Broadway', 'first', 'apt', 'p.o. box', 'pobox', 'Box', 'P.OBox', '#'],
  ...['Suite', 'ste', 'unit', 'Flat', 'postbox', 'PSC', 'cmr', 'USNS', 'apo', 'AE', 'aa'],
  ...CONTEXT_PHRASES.slice(0, 8),
  ...['lives', 'at', 'ship', 'to', 'send', 'a', 'me', 'it', 'this', 'them', 'new', 'one', 'Address', 'addressed'],
  ...['sk-', 'sk_live_', 'ghp_', 'github_pat_', 'AKIA', 'AIza', 'xoxb-', 'eyJ', 'hf_', 'npm_', 'glpat-', 'ask-'],
  ...['Bearer', 'Basic', 'Token', 'token', '-----', '-----BEGIN', '://', 'https'],
  ...['password', 'PASSWD', 'api_key', 'Secret', 'credentials', 'pwd', '"', "'", '        ', 'passphrase'],
  ...['and', 'And', 'I', "I'm", 'Anna', 'GB', 'DE', 'fe80', 'abcd', 'x', 'é', 'É', 'ß', 'λ', '’', 'Ż'],
  ...['name', 'Name', 'username', ' is ', ' IS ', "'s ", '’s '],
  ...['Passwort', 'contraseña', 'pw', 'login', 'api', 'Private', 'key', 'secretkey', 'mysql', ' -p', 'lautet', ' es '],
  ...['Xk9!mQ2zL7', '4f9a1c2e8b7d6f5a3c2b1e0d9f8a7b6c', 'mot de passe', 'hooks', 'shpat_', '/', 'webhooks'],
)
const text = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''))

// Digit groups and what joins or breaks a chain of them: card, SSN and dotted-quad candidates are frequent here.
const digitText = fc
  .array(
    fc.constantFrom(...['1', '12', '123', '4111', '45', '6780', '0', '999'], ...[' ', '-', '.', ':', 'a', '_', '+']),
    {
      maxLength: 20,
    },
  )
  .map((parts) => parts.join(''))

describe('text profile', () => {
  it('rejects only texts in which a built-in recognizer finds nothing (the engine skips the call on its gate)', () => {
    const gated = defaultRecognizers()
      .map((r) => [r, profileGate(r)] as const)
      .filter(([, gate]) => gate !== -1)
    fc.assert(
      fc.property(text, (t) => {
        const bits = textProfile(t)
        for (const [r, gate] of gated)
          if ((bits & gate) === 0) expect(r.find(t), `${r.name} on ${JSON.stringify(t)}`).toHaveLength(0)
      }),
      { numRuns: 4000 },
    )
  })

  it('sets every bit whose pattern matches (all texts)', () => {
    fc.assert(
      fc.property(text, (t) => {
        const bits = textProfile(t)
        for (const [bit, re] of ALL_TEXTS) if (re.test(t)) expect(bits & bit, `${re} on ${JSON.stringify(t)}`).toBe(bit)
      }),
      { numRuns: 4000 },
    )
  })

  it('sets the street bits whose patterns match (texts in ASCII; others take the regex gates)', () => {
    fc.assert(
      fc.property(text, (t) => {
        const bits = textProfile(t)
        if (bits & NON_ASCII) return
        for (const [bit, re] of ASCII_ONLY)
          if (re.test(t)) expect(bits & bit, `${re} on ${JSON.stringify(t)}`).not.toBe(0)
      }),
      { numRuns: 4000 },
    )
  })

  it('marks a text with two German function words (as whole ASCII words, any case) as German, and no other', () => {
    const word = new RegExp(`(?<![A-Za-z])(?:${GERMAN_WORDS.join('|')})(?![A-Za-z])`, 'gi')
    const germanText = fc
      .array(fc.constantFrom('und', 'Der', 'ICH', 'nicht', 'Sie', 'Haus', 'die', 'bitte', 'wunder', ' ', ', ', '.'), {
        maxLength: 12,
      })
      .map((parts) => parts.join(''))
    fc.assert(
      fc.property(fc.oneof(text, germanText), (t) => {
        const count = t.match(word)?.length ?? 0
        expect((textProfile(t) & GERMAN_TEXT) !== 0, JSON.stringify(t)).toBe(count >= 2)
      }),
      { numRuns: 4000 },
    )
    expect(textProfile('Die Hard and Das Boot are films I like') & GERMAN_TEXT).toBe(0)
    expect(textProfile('Ich habe eine Frage, kann ich das absetzen?') & GERMAN_TEXT).toBe(GERMAN_TEXT)
  })

  it('reads typical texts', () => {
    const has = (t: string, bit: number): boolean => (textProfile(t) & bit) !== 0
    expect(has('call (415) 555-0132', SEVEN_DIGITS)).toBe(true)
    expect(has('order 12 34 56', SEVEN_DIGITS)).toBe(false)
    expect(has('card 4111-1111-1111-1111', CARD_RUN)).toBe(true)
    expect(has('SSN 123 45 6780', SSN_SHAPE)).toBe(true)
    expect(has('call 555 123 4567', SSN_SHAPE)).toBe(false)
    expect(has('from 203.0.113.9', DOTTED_QUAD)).toBe(true)
    expect(has('version 1.2.3', DOTTED_QUAD)).toBe(false)
    expect(has('host fe80::1', HEX_COLONS)).toBe(true)
    expect(has('at 10:30:15', HEX_COLONS)).toBe(true) // a gate, not a verdict: the IPv6 parser decides
    expect(has('IBAN GB82 WEST', IBAN_HEAD)).toBe(true)
    expect(has('ABC12', IBAN_HEAD)).toBe(false)
    expect(has('key ghp_abc', KEY_MARKER)).toBe(true)
    expect(has('the task-runner', KEY_MARKER)).toBe(false)
    expect(has('La contraseña es', SECRET_WORD)).toBe(true)
    expect(has('use api key abc', SECRET_WORD)).toBe(true)
    expect(has('the key is api', SECRET_WORD)).toBe(false)
    expect(has('a passing test', SECRET_WORD)).toBe(false)
    expect(has('Tom and Ann', CONJUNCTION)).toBe(true)
    expect(has('Tom, Ann', CONJUNCTION)).toBe(false)
    expect(has("my name's ", NAME_IS)).toBe(true) // the phrase at the text's very end
    expect(has('my name is', NAME_IS)).toBe(false)
    expect(has('the username is x', NAME_IS)).toBe(false)
    expect(has('ship to 216 Menzies Street', STREET_WORD)).toBe(true)
    expect(has('please send the report', STREET_WORD)).toBe(false)
    expect(has('Friedhofstrasse 33', SUFFIX_THEN_NUMBER)).toBe(true)
    expect(has('I think so', CAPITAL_NOT_I)).toBe(false)
    expect(has("I'm here", CAPITAL_NOT_I)).toBe(false) // the pronoun, also in "I'm"
    expect(has('In the box', CAPITAL_NOT_I)).toBe(true)
  })

  it('lists where capitalised words may open, and the first letter', () => {
    textProfile('say Hi to McDonald’s crew')
    const { positions, count } = capitalPositions()
    expect([...positions.subarray(0, count)]).toEqual([4, 10, 12, 18])
    expect(firstLetterIndex()).toBe(0)
    textProfile('42 — élan')
    expect(firstLetterIndex()).toBe(5)
  })

  it('gives where `:hex:` pairs, dotted quads, card chains, SSN shapes and `://` open, where searches begin', () => {
    fc.assert(
      fc.property(fc.oneof(text, digitText), (t) => {
        const bits = textProfile(t)
        const { starts, count } = hexColonStarts()
        const pairs = [...t.matchAll(/:(?=[0-9A-Fa-f]{0,4}:)/g)].map((m) => m.index)
        expect(count < 0 ? -1 : [...starts.subarray(0, count)], JSON.stringify(t)).toEqual(
          pairs.length > 16 ? -1 : pairs,
        )
        // The first digit of the first chain of four or more dot-joined digit runs.
        const quad = t.search(/(?<![0-9]|[0-9]\.)[0-9]+(?:\.[0-9]+){3}/)
        expect(firstQuadIndex(), JSON.stringify(t)).toBe(quad)
        expect(firstSchemeIndex(), JSON.stringify(t)).toBe(t.indexOf('://'))
        // The card and SSN searches start at these: no candidate of theirs opens before.
        const card = t.search(/\d(?<![\w.-]\d)(?:[ -]?\d){11,18}(?![\w])/)
        if (card >= 0) expect(firstCardIndex(), JSON.stringify(t)).toBeLessThanOrEqual(card)
        expect(firstCardIndex() >= 0, JSON.stringify(t)).toBe((bits & CARD_RUN) !== 0)
        const ssn = t.search(/(\d(?<![\w.-]\d)\d{2})([- .]?)(\d{2})\2(\d{4})(?![\w]|-\d)/)
        if (ssn >= 0) expect(firstSsnIndex(), JSON.stringify(t)).toBeLessThanOrEqual(ssn)
        expect(firstSsnIndex() >= 0, JSON.stringify(t)).toBe((bits & SSN_SHAPE) !== 0)
      }),
      { numRuns: 4000 },
    )
    textProfile('v.1.2.3.4 and 10.0.0.1')
    expect(firstQuadIndex()).toBe(2)
    textProfile('at 10:22:11 from fe80::1')
    expect([...hexColonStarts().starts.subarray(0, hexColonStarts().count)]).toEqual([5, 21])
  })

  it('gives the first digit, where a number-led pattern can begin its search', () => {
    fc.assert(
      fc.property(text, (t) => {
        textProfile(t)
        expect(firstDigitIndex()).toBe(t.search(/[0-9]/))
      }),
      { numRuns: 2000 },
    )
  })

  it('gives the end of the last digit, where a pattern that needs a digit can stop its search', () => {
    fc.assert(
      fc.property(text, (t) => {
        textProfile(t)
        const last = t.match(/[0-9](?!.*[0-9])/s)
        expect(digitsEnd()).toBe(last === null ? 0 : last.index! + 1)
      }),
      { numRuns: 2000 },
    )
    textProfile('no digits')
    expect(digitsEnd()).toBe(0)
    textProfile('call 555 0100 now')
    expect(digitsEnd()).toBe(13)
  })
})
