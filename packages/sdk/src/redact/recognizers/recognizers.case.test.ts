import { describe, expect, it } from 'vitest'
import { createRedactor } from '../engine.js'
import type { Recognizer } from '../recognizer.js'
import { creditCardRecognizer } from './credit-card-recognizer.js'
import { emailRecognizer } from './email-recognizer.js'
import { ibanRecognizer } from './iban-recognizer.js'
import { ipRecognizer } from './ip-recognizer.js'
import { personRecognizer } from './person-recognizer.js'
import { phoneRecognizer } from './phone-recognizer.js'
import { secretRecognizer } from './secret-recognizer.js'
import { streetAddressRecognizer } from './street-address-recognizer.js'
import { usSsnRecognizer } from './us-ssn-recognizer.js'

// Shared case table: every recognizer must find its positives (value, in context) and stay silent on look-alikes
// (order numbers, hashes, versions, timestamps, UUIDs) at the engine's default threshold.
const MIN = 0.5
const LOOK_ALIKES = [
  'Order #56413599 shipped on 2025-03-10. Total: $832.94',
  'The commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the race in the scheduler.',
  'Upgrade from v1.2.3 to v2.10.4 and rerun the migrations.',
  'Log line: 2025-03-01T10:22:11Z started, took 1234 ms',
  'Use request id 550e8400-e29b-41d4-a716-446655440000 when you contact support.',
  'Tracking number 3750111009051279 is not yet scanned.',
  'The meeting is at 10:30 in room 4.',
  'Install scikit-learn (often written sk-learn) version 1.6.',
  'Compute 4821 * 7382 and round to 2 decimals.',
  'What is the capital of Papua New Guinea? Answer in one word.',
  'Reply via email within 2 days; the place was closed for 3 days.',
  'Promoted to Senior Engineer, effective Jan 1; review on 14 Mar.',
  "Return the nth Fibonacci number, then explain Newton's second law and the Turing test.",
  'Use port 8080 and the subnets 10.0.0.0/16 and 192.168.1.0/24 for the cluster.',
]

/** Redacts each text with the default engine and expects the given output. */
function expectRedacted(cases: ReadonlyArray<readonly [string, string]>): void {
  const redactor = createRedactor()
  for (const [text, want] of cases) expect(redactor.redact(text).text, text).toBe(want)
}

const cases: Array<[Recognizer, string, string[]]> = [
  [emailRecognizer, 'EMAIL_ADDRESS', ['write to ana.lopez+news@mail.example.co.uk today', "user=o'brien@example.org"]],
  [
    creditCardRecognizer,
    'CREDIT_CARD',
    ['card 4111 1111 1111 1111 declined', 'amex 3782-822463-10005', 'pay with 5555555555554444'],
  ],
  [
    usSsnRecognizer,
    'US_SSN',
    ['SSN 123-45-6780', 'my social security number is 123456780', 'my ssn is 123-45-6789, the usual one'],
  ],
  [ibanRecognizer, 'IBAN_CODE', ['IBAN GB82 WEST 1234 5698 7654 32.', 'to DE89370400440532013000 now']],
  [ipRecognizer, 'IP_ADDRESS', ['src=203.0.113.9 port', 'from 2001:db8::8a2e:370:7334 via']],
  [
    phoneRecognizer,
    'PHONE_NUMBER',
    [
      'call (415) 555-0132 now',
      'mobile: +44 7700 900123',
      'tel 020 7946 0958',
      // The number opens the text, one character before its first digit.
      '+1 415 555 0132 is my cell',
      '(415) 555-0132, ask for Jo',
    ],
  ],
  [
    secretRecognizer,
    'SECRET',
    [
      'key sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6 here',
      'AKIAIOSFODNN7EXAMPLE',
      'token ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'export DB_PASSWORD=hT7#kq2Lm9xZ',
      'Authorization: Bearer abcDEF123456ghiJKL789',
      'postgres://admin:s3cr3tPa55@db.internal:5432/app',
      // The longest scheme the pattern takes, after prose: its search opens 21 characters before the `://`.
      'see abcdefghijklmnopqrstu://admin:s3cr3tPa55@db.internal',
    ],
  ],
  [
    personRecognizer,
    'PERSON',
    [
      'Dear Maria Lopez, your order is ready',
      'my name is Oluwaseun',
      'everyone calls me Oluwaseun',
      'a poem written by Oluwaseun',
      '{"customer":"Grace Hopper"}',
    ],
  ],
  [streetAddressRecognizer, 'STREET_ADDRESS', ['ship it to 221 Baker Street, London', 'office at Friedrichstrasse 43']],
]

describe.each(cases)('$name', (recognizer, type, positives) => {
  it.each(positives)('finds %s', (text) => {
    const found = recognizer.find(text).filter((f) => f.score >= MIN && f.type === type)
    expect(found.length).toBeGreaterThan(0)
  })
  it('stays silent on look-alikes', () => {
    for (const text of LOOK_ALIKES) {
      const found = recognizer.find(text).filter((f) => f.score >= MIN)
      expect(found.map((f) => `${f.type}:${text.slice(f.start, f.end)}`)).toEqual([])
    }
  })
})

describe('exact spans', () => {
  // What is replaced must be the value, to the character: a span one off leaks a character and eats a neighbour's.
  const spans: Array<[string, string, Recognizer]> = [
    ['postgres://admin:s3cr3tPa55@10.0.0.12:5432/app', 's3cr3tPa55', secretRecognizer],
    ['redis://default:Zq8vT2mW9kLp@cache.internal:6379', 'Zq8vT2mW9kLp', secretRecognizer],
    ['export DB_PASSWORD=hT7#kq2Lm9xZ', 'hT7#kq2Lm9xZ', secretRecognizer],
    ['Authorization: Bearer abcDEF123456ghiJKL789', 'abcDEF123456ghiJKL789', secretRecognizer],
    ['GET /v1/x?access_token=Zq8vT2mW9kLpQ7 HTTP/1.1', 'Zq8vT2mW9kLpQ7', secretRecognizer],
    ['https://api.example.com/v1?api_key=Zq8vT2mW9kLpQ7xR&format=json', 'Zq8vT2mW9kLpQ7xR', secretRecognizer],
    // Outside a query string an `&` may be part of the value: taken whole.
    ['DB_PASSWORD=hT7#kq&2Lm9xZ', 'hT7#kq&2Lm9xZ', secretRecognizer],
    ['key sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6 here', 'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6', secretRecognizer],
    [
      'SENDGRID_KEY SG.Zq8vT2mW9kLpQ7xRaB3c.D4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7e',
      'SG.Zq8vT2mW9kLpQ7xRaB3c.D4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7e',
      secretRecognizer,
    ],
    [
      'AccountName=acct;AccountKey=Zq8vT2mW9kLpQ7xRaB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4==;EndpointSuffix=core.windows.net',
      'Zq8vT2mW9kLpQ7xRaB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4==',
      secretRecognizer,
    ],
    ['from 10.0.0.12:5432', '10.0.0.12', ipRecognizer],
    ['mail <ana.lopez@example.com>.', 'ana.lopez@example.com', emailRecognizer],
    ['call (415) 555-0132.', '(415) 555-0132', phoneRecognizer],
    ['card 4111 1111 1111 1111.', '4111 1111 1111 1111', creditCardRecognizer],
    ['SSN 123-45-6780.', '123-45-6780', usSsnRecognizer],
    ['IBAN GB82 WEST 1234 5698 7654 32.', 'GB82 WEST 1234 5698 7654 32', ibanRecognizer],
  ]
  it.each(spans)('in %s finds exactly %s', (text, value, recognizer) => {
    const found = recognizer.find(text).filter((f) => f.score >= MIN)
    expect(found.map((f) => text.slice(f.start, f.end))).toContain(value)
    for (const f of found)
      expect(value.includes(text.slice(f.start, f.end)) || text.slice(f.start, f.end).includes(value)).toBe(true)
  })
  it('replaces a URL password whole, next to an IP address host', () => {
    expect(createRedactor().redact('postgres://admin:hunter2x@10.0.0.12:5432/prod').text).toBe(
      'postgres://admin:<SECRET>@<IP_ADDRESS>:5432/prod',
    )
  })
  it('reads a URL password before a host name as a secret, not as a mail address, with or without a user', () => {
    expectRedacted([
      ['postgres://admin:S3cr3tPass@db.internal:5432/app', 'postgres://admin:<SECRET>@db.internal:5432/app'],
      ['mongodb+srv://user:pa55word@cluster0.mongodb.net/db', 'mongodb+srv://user:<SECRET>@cluster0.mongodb.net/db'],
      ['redis://:hunter2pass@cache.internal:6379', 'redis://:<SECRET>@cache.internal:6379'],
      // A mail address after a scheme or a key stays one, and a URL's slashes stay out of it.
      ['mailto:ana@example.com', 'mailto:<EMAIL_ADDRESS>'],
      ['user:ana@example.com', 'user:<EMAIL_ADDRESS>'],
      ['https://ana@example.com/x', 'https://<EMAIL_ADDRESS>/x'],
    ])
  })
})

describe('specific negatives', () => {
  it('rejects cards that fail Luhn or issuer ranges, and phone-grouped digits', () => {
    expect(creditCardRecognizer.find('card 4111 1111 1111 1112')).toEqual([])
    expect(creditCardRecognizer.find('ref 9999 9999 9999 9995').filter((f) => f.score >= MIN)).toEqual([])
    // Nor is a card-shaped number that fails Luhn read in part as a phone number.
    expect(createRedactor().redact('Mastercard 2221 0012 3412 3456').findings).toEqual([])
  })
  it('reads a lower-case label as a name only in a dialogue', () => {
    const redactor = createRedactor()
    expect(redactor.redact('iban: nl91abna0417164300').text).toBe('iban: <IBAN_CODE>')
    expect(redactor.redact('maria: hi\ntom: hey there').text).toBe('<PERSON>: hi\n<PERSON>: hey there')
  })
  it('rejects SSNs in never-issued ranges', () => {
    expect(usSsnRecognizer.find('SSN 666-12-3456')).toEqual([])
    expect(usSsnRecognizer.find('SSN 123-00-4567')).toEqual([])
  })
  it('takes the well-known placeholder SSNs only next to an SSN word', () => {
    for (const n of ['123-45-6789', '078-05-1120', '219-09-9999']) {
      expect(usSsnRecognizer.find(`order ${n} shipped`).filter((f) => f.score >= MIN)).toEqual([])
      expect(usSsnRecognizer.find(`SSN: ${n}`).filter((f) => f.score >= MIN)).toHaveLength(1)
    }
  })
  it('rejects IBANs with a bad check', () => {
    expect(ibanRecognizer.find('GB82 WEST 1234 5698 7654 33')).toEqual([])
  })
  it('rejects JWT-shaped strings whose header does not decode', () => {
    expect(secretRecognizer.find('abc.eyJzdWIiOiIxIn0.sig')).toEqual([])
  })
  it('rejects placeholder passwords', () => {
    expect(secretRecognizer.find('password=changeme').filter((f) => f.score >= MIN)).toEqual([])
  })
  it('ends an address at the end of its sentence, not at the next capitalised word after it', () => {
    const redactor = createRedactor()
    expect(redactor.redact('Ship to 221 Baker Street, London. I am Sherlock Holmes.').text).toBe(
      'Ship to <STREET_ADDRESS>. I am <PERSON>.',
    )
    expect(redactor.redact('Ship to 221 Baker Street, London. Thanks').text).toBe('Ship to <STREET_ADDRESS>. Thanks')
    // An abbreviation's dot stays inside.
    expect(redactor.redact('Meet me at 5 Elm Rd. Apt 4, Boston.').text).toBe('Meet me at <STREET_ADDRESS>.')
  })
  it('keeps a title or role before a name out of the name', () => {
    const redactor = createRedactor()
    expect(redactor.redact('your appointment with Nurse Ramirez is at 3pm').text).toBe(
      'your appointment with Nurse <PERSON> is at 3pm',
    )
    expect(redactor.redact('Ask Professor Okafor and Detective Lund.').text).toBe(
      'Ask Professor <PERSON> and Detective <PERSON>.',
    )
  })
  it('knows given names from many origins as names, alone in a sentence', () => {
    expectRedacted([
      ['Rahul will send the report.', '<PERSON> will send the report.'],
      ['Ask Priya about the budget.', 'Ask <PERSON> about the budget.'],
      ['Dmitri fixed the bug.', '<PERSON> fixed the bug.'],
      ['Hiroshi called twice.', '<PERSON> called twice.'],
      ['Thanks, Kwame', 'Thanks, <PERSON>'],
    ])
  })
  it('reads an unknown word as a name after a quotation or a name question, before a relation, or signing off', () => {
    const redactor = createRedactor()
    expectRedacted([
      ['"The market is moving," says Hartvigsson.', '"The market is moving," says <PERSON>.'],
      ["What's your last name? Matthíasson", "What's your last name? <PERSON>"],
      ['She named him Tuvok', 'She named him <PERSON>'],
      ["We spoke with Zorvath's wife yesterday.", "We spoke with <PERSON>'s wife yesterday."],
      ['Thanks, Zorvath', 'Thanks, <PERSON>'],
      ["Kwame's law firm and Sarah's test results", "<PERSON>'s law firm and <PERSON>'s test results"],
      ['See you then.\nBest,\nZorvath', 'See you then.\nBest,\n<PERSON>'],
    ])
    // The same words without those cues stay, and a company's possessions are not kin.
    for (const text of [
      'Hartvigsson scale readings',
      "Zorvath's address is below",
      'The plan says Hartvigsson needs',
      'Thanks, Zorvath team',
    ]) {
      expect(redactor.redact(text).findings, text).toEqual([])
    }
  })
  it('does not read places, titles, software terms or a possessive acronym as names', () => {
    const redactor = createRedactor()
    for (const text of [
      'What is the capital of Palestine? Answer in one word.',
      'The Colonel approved the plan.',
      'not json: the body failed to parse',
      "overriding the URI's normal scheme parsing",
    ]) {
      expect(redactor.redact(text).findings, text).toEqual([])
    }
  })
  it('reads a street named without a number as a street, not as a person, and a numbered street by its ordinal', () => {
    expectRedacted([
      ['She lives on Maple Street.', 'She lives on <STREET_ADDRESS>.'],
      ['Take Lincoln Avenue north', 'Take <STREET_ADDRESS> north'],
      ['Diane Lane starred in it.', '<PERSON> starred in it.'],
      ["I'm at 350 5th Ave, 34th floor", "I'm at <STREET_ADDRESS>, 34th floor"],
      ['Envoyez-le au 14 avenue des Champs-Élysées, 75008 Paris', 'Envoyez-le au <STREET_ADDRESS>'],
    ])
  })
  it('reads names in capitals on a form, a surname before its given name, and a relative after "my" as names', () => {
    expectRedacted([
      ['PATIENT NAME: JOHN SMITH', 'PATIENT NAME: <PERSON>'],
      ['Name: SMITH, John', 'Name: <PERSON>, <PERSON>'],
      ['From: "Garcia, Maria" <mg@example.com>', 'From: "<PERSON>, <PERSON>" <<EMAIL_ADDRESS>>'],
      ['Paris, France', 'Paris, France'],
      ['Hi, my name is carlos mendez and I need help.', 'Hi, my name is <PERSON> and I need help.'],
      ["User: my name's priya, hi", "User: my name's <PERSON>, hi"],
      ['The file name is config and it fails', 'The file name is config and it fails'],
      ['My daughter Sofia is 7.', 'My daughter <PERSON> is 7.'],
      ['Emergency contact: her husband Tomás', 'Emergency contact: her husband <PERSON>'],
      // Capitals alone are no evidence: a lone known name in them needs context, as an acronym never is one.
      ['set MAX to 5', 'set MAX to 5'],
      ['TODO: ask ALEX', 'TODO: ask ALEX'],
    ])
  })
  it('takes local phone formats by their context words in other languages, not inside a compound word', () => {
    expectRedacted([
      ['Meine Handynummer: 0151 23456789', 'Meine Handynummer: <PHONE_NUMBER>'],
      ['Mi teléfono es 91 123 45 67', 'Mi teléfono es <PHONE_NUMBER>'],
      ['Il mio numero è 06 1234 5678', 'Il mio numero è <PHONE_NUMBER>'],
      ['Bestellnummer 030 12345678', 'Bestellnummer 030 12345678'],
    ])
  })
  it('does not read sentence-initial words or places as names', () => {
    expect(personRecognizer.find('What is the capital of Kenya?').filter((f) => f.score >= MIN)).toEqual([])
  })
  it('does not read contractions, sentence openers or cities in tool arguments as names', () => {
    for (const text of [
      "I'm fine, thanks",
      'No, I do not think so.',
      '{"city":"Paris","units":"metric"}',
      'weather in Paris',
    ]) {
      expect(
        personRecognizer.find(text).filter((f) => f.score >= MIN),
        text,
      ).toEqual([])
    }
    expect(personRecognizer.find("I'm Tom").filter((f) => f.score >= MIN)).toHaveLength(1)
  })
})
