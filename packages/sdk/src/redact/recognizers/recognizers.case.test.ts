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
      'AKIAQ3EGRQ7XJ5M4KZPB',
      'token ghp_16C7e42F292c6912E7710c838347Ae178B4a',
      'export DB_PASSWORD=hT7#kq2Lm9xZ',
      'Authorization: Bearer abcDEF123456ghiJKL789',
      'postgres://admin:s3cr3tPa55@db.internal:5432/app',
      // The longest scheme the pattern takes, after prose: its search opens 21 characters before the `://`.
      'see abcdefghijklmnopqrstu://admin:s3cr3tPa55@db.internal',
      // Told in prose, in several languages, with or without a verb.
      'The wifi password is CpZLF7-18BALI-Df5YVs',
      'Use api key 4f9a1c2e8b7d6f5a3c2b1e0d9f8a7b6c for the staging API.',
      'shopify admin token 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',
      'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/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',
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
    [
      'postgres://admin:s3cr3tPa55@10.0.0.12:5432/app',
      'postgres://admin:s3cr3tPa55@10.0.0.12:5432/app',
      secretRecognizer,
    ],
    [
      'redis://default:Zq8vT2mW9kLp@cache.internal:6379.',
      'redis://default:Zq8vT2mW9kLp@cache.internal:6379',
      secretRecognizer,
    ],
    ['export DB_PASSWORD=hT7#kq2Lm9xZ', 'hT7#kq2Lm9xZ', secretRecognizer],
    ['Authorization: Bearer abcDEF123456ghiJKL789', 'abcDEF123456ghiJKL789', secretRecognizer],
    // A bearer token standing alone (a header value pasted into a message, a JSON string): no `:` before it.
    ['Bearer abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz012345', secretRecognizer],
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
    // A connection string with a key or password in it is the credential whole, as a URL with one is.
    [
      'use AccountName=acct;AccountKey=Zq8vT2mW9kLpQ7xRaB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4==;EndpointSuffix=core.windows.net',
      'AccountName=acct;AccountKey=Zq8vT2mW9kLpQ7xRaB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4==;EndpointSuffix=core.windows.net',
      secretRecognizer,
    ],
    [
      'Server=tcp:db.example.net,1433;Initial Catalog=crm;User ID=app;Password=6sYBoxC0XLgDW0FNPuJB;Encrypt=True;',
      'Server=tcp:db.example.net,1433;Initial Catalog=crm;User ID=app;Password=6sYBoxC0XLgDW0FNPuJB;Encrypt=True',
      secretRecognizer,
    ],
    ['MAILGUN_KEY=f23ad8246793108cadcfc65877129e88', 'f23ad8246793108cadcfc65877129e88', secretRecognizer],
    // A value in the place of a secret column of an SQL insert.
    ["INSERT INTO users (name, password) VALUES ('ana', 'Adm1n!2024spring');", 'Adm1n!2024spring', secretRecognizer],
    [
      'hardcoded (key-8659043a3e2ff88589ac39ad7bd93551), rotate it',
      'key-8659043a3e2ff88589ac39ad7bd93551',
      secretRecognizer,
    ],
    [
      'POST https://contoso.webhook.office.com/webhookb2/839cd783-fa54-18dc@1f0b6a2e-7c3d/IncomingWebhook/4c8e2a91d0b7463f9e15a7c2d3b8f604/6a1d9e3f now',
      'https://contoso.webhook.office.com/webhookb2/839cd783-fa54-18dc@1f0b6a2e-7c3d/IncomingWebhook/4c8e2a91d0b7463f9e15a7c2d3b8f604/6a1d9e3f',
      secretRecognizer,
    ],
    // Secrets told in prose: the value alone, without the sentence's closing dot (a `!` of the value stays).
    ['My password for the school portal is Tr0ub4dor&3xq! — is it strong?', 'Tr0ub4dor&3xq!', secretRecognizer],
    ["pw for the staging db is D99Y9SzGmI#2Cbj don't lose it", 'D99Y9SzGmI#2Cbj', secretRecognizer],
    ['La contraseña del servidor es 3Wc7E6YiKEvQNio0 y el usuario es root.', '3Wc7E6YiKEvQNio0', secretRecognizer],
    ['Das Passwort für den Admin-Account lautet H4vRGo7oTi3w!. Bitte ändern.', 'H4vRGo7oTi3w!', secretRecognizer],
    ['rete "Studio-5G", password dPFbjY14ebqAxp.', 'dPFbjY14ebqAxp', secretRecognizer],
    ['Login: admin / Wq9$mP2!vLx7', 'Wq9$mP2!vLx7', secretRecognizer],
    ['$ mysql -u root -pMCp9KOCywl3YVG -h db01', 'MCp9KOCywl3YVG', secretRecognizer],
    [
      'private key: 0x51d6c9c2af4f71fc7865ecb34867db276aa63565bfbeac7f1c489c62d7b7c37c',
      '0x51d6c9c2af4f71fc7865ecb34867db276aa63565bfbeac7f1c489c62d7b7c37c',
      secretRecognizer,
    ],
    [
      'AWS key, secret -PTwpyXaWiz0dQk7FcoOKpYqNp8O4fg5b5egNWaP',
      '-PTwpyXaWiz0dQk7FcoOKpYqNp8O4fg5b5egNWaP',
      secretRecognizer,
    ],
    [
      'we rotated the client secret. New one is fiGaNTE9~Zk8f2e6ZlYVppDoRWq0J. Thanks',
      'fiGaNTE9~Zk8f2e6ZlYVppDoRWq0J',
      secretRecognizer,
    ],
    ['the new password is now "Xk9!mQ2zL7" ok', 'Xk9!mQ2zL7', secretRecognizer],
    [
      'discord webhook https://discord.com/api/webhooks/118712345678/sx6IF6eLaCPKgxV-xJcNgVPyTA8jNTzFWXUSeFlXna4GChW52e',
      'https://discord.com/api/webhooks/118712345678/sx6IF6eLaCPKgxV-xJcNgVPyTA8jNTzFWXUSeFlXna4GChW52e',
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
  it('replaces a URL with credentials whole, an IP address host with it', () => {
    expect(createRedactor().redact('use postgres://admin:hunter2x@10.0.0.12:5432/prod.').text).toBe('use <SECRET>.')
  })
  it('reads a URL password before a host name as a secret, not as a mail address, with or without a user', () => {
    expectRedacted([
      ['url=postgres://admin:S3cr3tPass@db.internal:5432/app', 'url=<SECRET>'],
      ['"mongodb+srv://user:pa55word@cluster0.mongodb.net/db"', '"<SECRET>"'],
      ['(redis://:hunter2pass@cache.internal:6379)', '(<SECRET>)'],
      // A mail address after a scheme or a key stays one, and a URL's slashes stay out of it.
      ['mailto:ana@example.com', 'mailto:<EMAIL_ADDRESS>'],
      ['user:ana@example.com', 'user:<EMAIL_ADDRESS>'],
      ['https://ana@example.com/x', 'https://<EMAIL_ADDRESS>/x'],
    ])
  })
  it('takes a provider key that runs past its usual length whole, not cut at the length', () => {
    expectRedacted([
      ['key AIzaSyA-1234567890abcdefghijklmnopqrstuv ok', 'key <SECRET> ok'],
      ['npm_abcdefghijklmnopqrstuvwxyz0123456789XY ok', '<SECRET> ok'],
    ])
  })
  it('reads a card grouped by dots as a card, and no IP address or version as one', () => {
    expectRedacted([
      ['card 4111.1111.1111.1111 exp 09/27', 'card <CREDIT_CARD> exp 09/27'],
      ['pay with 5500.0000.0000.0004.', 'pay with <CREDIT_CARD>.'],
      ['version 1.2.3.4 and 4111.1111.1111.1112', 'version 1.2.3.4 and 4111.1111.1111.1112'],
      ['hosts 192.168.100.200 and 10.0.0.1', 'hosts <IP_ADDRESS> and <IP_ADDRESS>'],
    ])
  })
  it('reads a mail address spelled out with [at] and [dot], or in words with mail context or a dotted name', () => {
    expectRedacted([
      ['Contact me at ana.lopez [at] example [dot] com', 'Contact me at <EMAIL_ADDRESS>'],
      ['or ana(at)example(dot)org, or bob {at} mail.example.co.uk', 'or <EMAIL_ADDRESS>, or <EMAIL_ADDRESS>'],
      ['Write to anna dot schmidt at gmail dot com please', 'Write to <EMAIL_ADDRESS> please'],
      ['email: bob at example dot com', 'email: <EMAIL_ADDRESS>'],
      // Without either, words around "at" and "dot" are prose.
      ['I looked at google dot com yesterday', 'I looked at google dot com yesterday'],
      ['the dot product at index 3 is zero', 'the dot product at index 3 is zero'],
    ])
  })
  it('reads a mail address in a URL query from its value on, plain or percent-encoded', () => {
    expectRedacted([
      ['GET https://x.io/api?email=ana@example.com&x=1', 'GET https://x.io/api?email=<EMAIL_ADDRESS>&x=1'],
      [
        'GET https://x.io/unsubscribe?e=ana.lopez%40example.com&list=7',
        'GET https://x.io/unsubscribe?e=<EMAIL_ADDRESS>&list=7',
      ],
      ['body: user=ana.lopez%2Bnews%40gmail.com&plan=pro', 'body: user=<EMAIL_ADDRESS>&plan=pro'],
      ['mailto:ANA%40EXAMPLE.COM', 'mailto:<EMAIL_ADDRESS>'],
      // `%40` without an address around it stays.
      ['growth was 100%40 of them', 'growth was 100%40 of them'],
      ['a%40b and 5%40.5', 'a%40b and 5%40.5'],
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
  it('reads no secret in prose about passwords, tokens and keys without a value that looks generated or chosen', () => {
    for (const text of [
      'Send me the password reset link again',
      'Which password manager do you use?',
      'the token expired yesterday at 2025-03-04 10:00',
      'api key rotation is scheduled for Q3-2025',
      'Your password must contain at least 8 characters, e.g. Abc12345!',
      'login to db01.internal as root',
      'The password is in config.yaml',
      'the password issue is JIRA-1234',
      'Zoom meeting ID: 853 2247 1190, passcode 4471.',
      '{"level":"warn","msg":"token expired","token":"short"}',
      'mysql -u root -p -h db01',
      'Forgot password? Reset it at https://example.com/reset?id=123abc',
    ])
      expect(
        secretRecognizer.find(text).filter((f) => f.score >= MIN),
        text,
      ).toEqual([])
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
  it('takes the postcode and unit number after a street and its city into the address', () => {
    expectRedacted([
      [
        'We relocated to Suite 300, 1055 West Georgia Street, Vancouver, BC V6E 3P3.',
        'We relocated to <STREET_ADDRESS>.',
      ],
      [
        'Our flat is at 9 Hillhead Street, Glasgow G12 8QE, come visit!',
        'Our flat is at <STREET_ADDRESS>, come visit!',
      ],
      ['Pickup: 3200 N Lake Shore Dr #1804, Chicago, IL 60657', 'Pickup: <STREET_ADDRESS>'],
      ['Residence: 4 Avenida da Liberdade, 1250-096 Lisboa', 'Residence: <STREET_ADDRESS>'],
      // A code-like word further on, past a lower-case word, is not the address's.
      [
        'The office at 10 Downing Street is famous, A1 road closed',
        'The office at <STREET_ADDRESS> is famous, A1 road closed',
      ],
    ])
  })
  it("reads the value of a place's or a firm's field as no person, and a vocative after the same noun in prose as one", () => {
    expectRedacted([
      [
        '{"name": "John Smith", "city": "Boston", "company": "Morgan", "country": "Jordan"}',
        '{"name": "<PERSON>", "city": "Boston", "company": "Morgan", "country": "Jordan"}',
      ],
      ['city: Austin, state=Georgia', 'city: Austin, state=Georgia'],
      ["Don't go to town, Roy!", "Don't go to town, <PERSON>!"],
      ['refund it to my bank: Annelies van der Meer, thanks', 'refund it to my bank: <PERSON>, thanks'],
    ])
  })
  it('redacts only the value of a quoted address field, and keeps the JSON around it', () => {
    expectRedacted([
      [
        '{"customer": {"address": "221B Baker Street, London NW1 6XE"}}',
        '{"customer": {"address": "<STREET_ADDRESS>"}}',
      ],
      ["Here: {'address': '5 Elm Road, Leeds LS1 4AB', 'id': 7}", "Here: {'address': '<STREET_ADDRESS>', 'id': 7}"],
      ['shipping_address="4 Avenida da Liberdade, Lisboa"&x=1', 'shipping_address="<STREET_ADDRESS>"&x=1'],
    ])
  })
  it('reads post boxes in other languages and rural routes as addresses', () => {
    expectRedacted([
      ['Send invoices to Postbus 1230, 3500 BE Utrecht.', 'Send invoices to <STREET_ADDRESS>.'],
      [
        'Ihre Bestellung wird an Postfach 10 04 52, 20003 Hamburg geliefert.',
        'Ihre Bestellung wird an <STREET_ADDRESS> geliefert.',
      ],
      ['Mail it to RR 2 Box 118, Hollis, NH 03049.', 'Mail it to <STREET_ADDRESS>.'],
      ['écrivez à la boîte postale 12, Lyon', 'écrivez à la <STREET_ADDRESS>'],
      // The words alone, without a number, are no address; nor is a Spanish clause ("apartado 3": section 3).
      ['The postbus and the Postfach are closed on Sunday.', 'The postbus and the Postfach are closed on Sunday.'],
      ['según el apartado 3 del artículo 5', 'según el apartado 3 del artículo 5'],
      ['Apartado de Correos 45, 28080 Madrid', '<STREET_ADDRESS>'],
    ])
  })
  it('reads landmarks, prizes and institutions named after people or places as no person, and short German text as German', () => {
    expectRedacted([
      [
        'Victoria Falls lies on the border of Zambia and Zimbabwe.',
        'Victoria Falls lies on the border of Zambia and Zimbabwe.',
      ],
      ['She won the Nobel Prize in Physics.', 'She won the Nobel Prize in Physics.'],
      ['The Kennedy Center and the Getty Museum reopened.', 'The Kennedy Center and the Getty Museum reopened.'],
      // Two German function words are enough to read a short sentence's capitalised nouns as nouns ("in Kraft").
      [
        'Der Vertrag tritt am 1. Januar in Kraft und gilt für drei Jahre.',
        'Der Vertrag tritt am 1. Januar in Kraft und gilt für drei Jahre.',
      ],
      // A known given name before a tail that is a surname too keeps the person.
      ['Please call Anna Hall and John Park tomorrow.', 'Please call <PERSON> and <PERSON> tomorrow.'],
    ])
  })
  it('reads assistants and tools named like people (Claude, Kafka) and eponymous methods (Adam optimizer) as no person', () => {
    expectRedacted([
      ['Compare Claude, Gemini and GPT-4o on the benchmark.', 'Compare Claude, Gemini and GPT-4o on the benchmark.'],
      [
        'You are Claude, an AI assistant. Apache Kafka streams the events.',
        'You are Claude, an AI assistant. Apache Kafka streams the events.',
      ],
      ['Use the Adam optimizer and a Kalman filter.', 'Use the Adam optimizer and a Kalman filter.'],
      // A greeting or a surname says a person; a possessive keeps the thing the person's.
      ['Dear Claude, thanks. Claude Monet painted it.', 'Dear <PERSON>, thanks. <PERSON> painted it.'],
      ["Maria's model of the car is great", "<PERSON>'s model of the car is great"],
      ["Explain Bayes' theorem and the Monty Hall problem.", "Explain Bayes' theorem and the Monty Hall problem."],
      ['Planets: Mercury, Venus, Earth, Mars, Jupiter.', 'Planets: Mercury, Venus, Earth, Mars, Jupiter.'],
      ['Venus Williams won the final.', '<PERSON> won the final.'],
      // An organisation's last word that a name list holds, after the firm's own capitalised word.
      ['You are Aria, a support agent for Acme Corp.', 'You are Aria, a support agent for Acme Corp.'],
    ])
  })
  it('leaves versions, stand-ins for secrets and references to them alone', () => {
    expectRedacted([
      [
        'Windows shows FileVersion 10.4.0.1; app_version=5.2.0.18',
        'Windows shows FileVersion 10.4.0.1; app_version=5.2.0.18',
      ],
      ['Versione del servizio 3.4.1.12', 'Versione del servizio 3.4.1.12'],
      [
        '| Version | Date |\n|---|---|\n| 2.3.0.4 | 2024-05-02 |',
        '| Version | Date |\n|---|---|\n| 2.3.0.4 | 2024-05-02 |',
      ],
      // An address is still one after a build's number.
      ['uploaded by build #8812 from runner 10.2.0.77', 'uploaded by build #8812 from runner <IP_ADDRESS>'],
      ['curl -H "Authorization: Bearer YOUR_API_KEY"', 'curl -H "Authorization: Bearer YOUR_API_KEY"'],
      [
        'DATABASE_URL=postgres://app:********@localhost:5432/app',
        'DATABASE_URL=postgres://app:********@localhost:5432/app',
      ],
      ['WEBHOOK_SECRET = "[REDACTED]"', 'WEBHOOK_SECRET = "[REDACTED]"'],
      ['SECRET_KEY = os.getenv("SECRET_KEY", "")', 'SECRET_KEY = os.getenv("SECRET_KEY", "")'],
      ['Token expired? Generate a new one.', 'Token expired? Generate a new one.'],
      ['db_password = "Zq8vR2mKx41!"', 'db_password = "<SECRET>"'],
      ['she can be reached on 07700 900461.', 'she can be reached on <PHONE_NUMBER>.'],
      // Documentation's stand-ins and references to a secret kept elsewhere; a generic `_key` with no generated value.
      [
        'DATABASE_URL=postgresql://USER:PASSWORD@localhost:5432/shop',
        'DATABASE_URL=postgresql://USER:PASSWORD@localhost:5432/shop',
      ],
      ['MAPS_KEY=your-google-maps-key', 'MAPS_KEY=your-google-maps-key'],
      ['db_password     = var.db_password   # from SSM', 'db_password     = var.db_password   # from SSM'],
      ['PRIMARY_KEY=user_id; sort_key: created_at', 'PRIMARY_KEY=user_id; sort_key: created_at'],
    ])
  })
  it("takes an address's house-number suffix, floor, flat and postcode of other countries' forms", () => {
    expectRedacted([
      ['Stuur het naar Keizersgracht 221-H, 1016 DV Amsterdam graag', 'Stuur het naar <STREET_ADDRESS> graag'],
      ['Envíelo a Calle de Alcalá 145, 3º B, 28009 Madrid.', 'Envíelo a <STREET_ADDRESS>.'],
      ['Adres: ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa', 'Adres: <STREET_ADDRESS>'],
      [
        "Eircode lookup returned 14 Patrick Street, Cork T12 X8KP for the caller's number.",
        "Eircode lookup returned <STREET_ADDRESS> for the caller's number.",
      ],
      [
        "Billing address 29 Victoria Road, Cheltenham GL50 2AB doesn't match card 4485 3091 2277 4061",
        "Billing address <STREET_ADDRESS> doesn't match card <CREDIT_CARD>",
      ],
      // Korean and Japanese forms, romanised.
      ['Our Seoul office: 152 Teheran-ro, Gangnam-gu, Seoul 06236.', 'Our Seoul office: <STREET_ADDRESS>.'],
      ['Ship it to 3-5-1 Umeda, Kita-ku, Osaka 530-0001 today', 'Ship it to <STREET_ADDRESS> today'],
      ['He said gun-ro once, 12 times', 'He said gun-ro once, 12 times'],
      // Indonesia's jalan, and a neighbourhood unit after the number (RT 03/RW 05).
      ['Kirim ke Jl. Sudirman No. 45, RT 03/RW 05, Jakarta Pusat 10220', 'Kirim ke <STREET_ADDRESS>'],
      ["c'est 3 fois chez soi", "c'est 3 fois chez soi"],
    ])
  })
  it('takes no sentence, route, date, memory address or street talked about for an address', () => {
    expectRedacted([
      [
        'Tickets are delivered to the app 48 hours before the show.',
        'Tickets are delivered to the app 48 hours before the show.',
      ],
      ['Error: `bind: address already in use` on port 5432.', 'Error: `bind: address already in use` on port 5432.'],
      ['{"address": "0x7ffd5e8c1a40", "size": 4096}', '{"address": "0x7ffd5e8c1a40", "size": 4096}'],
      ['message C {\n  Address postal_address = 3;\n}', 'message C {\n  Address postal_address = 3;\n}'],
      ['Deadline moved to Friday, 28 June.', 'Deadline moved to Friday, 28 June.'],
      ['Route 66 road trip: how many days?', 'Route 66 road trip: how many days?'],
      ['Compare 40 key queries for row counts.', 'Compare 40 key queries for row counts.'],
      ['Closed on 5 June and many shops close early.', 'Closed on 5 June and many shops close early.'],
      [
        'Downing Street declined; the Fleet Street papers and the Abbey Road album.',
        'Downing Street declined; the Fleet Street papers and the Abbey Road album.',
      ],
      // Addresses still: after words in lower case, a number that opens one; a street someone is on.
      ['The address of the firm is 9554 62 Rue Gafsa Apt. 981', 'The address of the firm is <STREET_ADDRESS>'],
      ['Drops you off at Příční 1429 St.', 'Drops you off at Příční <STREET_ADDRESS>'],
      ['She lives on Maple Street now.', 'She lives on <STREET_ADDRESS> now.'],
    ])
  })
  it('reads header names, contractions, a "dear" of another language and compound service names as no person', () => {
    expectRedacted([
      ['Content-Type: application/json\nX-Request-Id: 7f3a', 'Content-Type: application/json\nX-Request-Id: 7f3a'],
      ["Dear Customer,\n\nWe've received your request.", "Dear Customer,\n\nWe've received your request."],
      ['Beste klant, uw bestelling is verzonden.', 'Beste klant, uw bestelling is verzonden.'],
      ['Met vriendelijke groet,\nStoringsdienst', 'Met vriendelijke groet,\nStoringsdienst'],
      ['STRIPE_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx', 'STRIPE_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx'],
      // Names keep their hyphens and apostrophes; a "dear" says the name after it.
      ['Beste Sanne, dank je. Anne-Lotte Smith-Jones called.', 'Beste <PERSON>, dank je. <PERSON> called.'],
    ])
  })
  it("reads a mail address's display name, chat speakers in lower case and people by their role as names", () => {
    expectRedacted([
      ['From: Margaux Lefèvre <margaux.lefevre@atelier.fr>', 'From: <PERSON> <<EMAIL_ADDRESS>>'],
      ['From: Billing Team <billing@acme.io>', 'From: Billing Team <<EMAIL_ADDRESS>>'],
      ['From: Acme Notifications <noreply@acme.io>', 'From: Acme Notifications <<EMAIL_ADDRESS>>'],
      [
        "priya: can u send the creds for DB2\narjun: sure\npriya: ty, what's deepika's number?",
        "<PERSON>: can u send the creds for DB2\n<PERSON>: sure\n<PERSON>: ty, what's deepika's number?",
      ],
      // One label is no chat; a label that is no given name is none.
      ['note: call the bank about DB2', 'note: call the bank about DB2'],
      ['Applicant: Aroha Ngata', 'Applicant: <PERSON>'],
      ['Receiver: Folake Adewale, Lagos', 'Receiver: <PERSON>, Lagos'],
      // A greeting and a given name in lower case, in text with capitals elsewhere; a greeting and a word stay.
      ['hi jess, I moved! oye pablo, DM me', 'hi <PERSON>, I moved! oye <PERSON>, DM me'],
      ['hey guys, the API is down', 'hey guys, the API is down'],
      // A list of people after its label, in lower case; a list of words is none.
      [
        'Meeting notes. Attendees: sanjay, aditi kulkarni and DB2 folks',
        'Meeting notes. Attendees: <PERSON>, <PERSON> and DB2 folks',
      ],
      ['Attendees: the whole team', 'Attendees: the whole team'],
      // Chinese, Japanese and Korean names after the field that holds them and its colon or space.
      ['联系人：张伟，持卡人 陈佳慧', '联系人：<PERSON>，持卡人 <PERSON>'],
      ['名義：中村浩、이름: 김민준', '名義：<PERSON>、이름: <PERSON>'],
      ['客户服务中心', '客户服务中心'],
    ])
  })
  it('reads teams that sign, cities, versioned software and eponymous chains as no person', () => {
    expectRedacted([
      ['Atentamente,\nEquipo de Seguridad', 'Atentamente,\nEquipo de Seguridad'],
      ['Cordiali saluti,\nServizio Clienti', 'Cordiali saluti,\nServizio Clienti'],
      ['Met vriendelijke groet,\nKlantenservice', 'Met vriendelijke groet,\nKlantenservice'],
      // Cities the name lists hold as surnames, and countries as other languages write them.
      [
        'Plan a trip: Lisbon, then across to Seville and Granada.',
        'Plan a trip: Lisbon, then across to Seville and Granada.',
      ],
      ['O rio Amazonas atravessa o Peru e o Brasil.', 'O rio Amazonas atravessa o Peru e o Brasil.'],
      ['We run Cassandra 3.11 and Jenkins v2.440 here.', 'We run Cassandra 3.11 and Jenkins v2.440 here.'],
      ['Explain a Markov chain in two sentences.', 'Explain a Markov chain in two sentences.'],
      // A lone word after an article or a possessive names a thing, but for a family.
      ['The Rhine passes Basel; our Pandora speaker syncs.', 'The Rhine passes Basel; our Pandora speaker syncs.'],
      ['We met the Okafor family at noon.', 'We met the <PERSON> family at noon.'],
      ['Unlike the Castro novel, it is short.', 'Unlike the <PERSON> novel, it is short.'],
      // Common given names stay names; an address after a name is no version.
      ['Gary Boston met Leon at noon.', '<PERSON> met <PERSON> at noon.'],
      ['Maria 203.0.113.9 logged in', '<PERSON> <IP_ADDRESS> logged in'],
      // A name that is a place too, lower case after "my name is".
      ['my name is vitoria', 'my name is <PERSON>'],
    ])
  })
  it('reads "my name is" in other languages as context for the name after it', () => {
    expectRedacted([
      [
        "Bonjour, je m'appelle Aurélie Lefèvre et j'habite à Paris.",
        "Bonjour, je m'appelle <PERSON> et j'habite à Paris.",
      ],
      ['Hola, me llamo Xochitl Quispe y vivo en Lima.', 'Hola, me llamo <PERSON> y vivo en Lima.'],
      ['Ciao, mi chiamo Giacomo Bellandi.', 'Ciao, mi chiamo <PERSON>.'],
      ['Hallo, ik heet Sanne Vermeulen.', 'Hallo, ik heet <PERSON>.'],
    ])
  })
  it('reads a known given name after "it\'s" or "this is" in text without capitals as the writer\'s own', () => {
    expectRedacted([
      ["hey it's priya, can you resend the invoice", "hey it's <PERSON>, can you resend the invoice"],
      ['hi this is jack from billing', 'hi this is <PERSON> from billing'],
      // An ordinary word there stays.
      ["it's fine, this is it", "it's fine, this is it"],
    ])
  })
  it('reads del, al, ella and mia in lower-case text as the function words they mostly are there', () => {
    expectRedacted([
      ['según el apartado 3 del artículo 5', 'según el apartado 3 del artículo 5'],
      ['voy al mercado con ella mañana', 'voy al mercado con ella mañana'],
      ['follow up with patricia desrosiers and call ben stiller', 'follow up with <PERSON> and call <PERSON>'],
    ])
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
  it('joins name particles into the name, and a preposition only next to a known given name', () => {
    expectRedacted([
      ['The award went to Ludwig van der Berg today.', 'The award went to <PERSON> today.'],
      ['thanked his mentor María de la Cruz in a speech', 'thanked his mentor <PERSON> in a speech'],
      ['mijn naam is Pieter van den Heuvel.', 'mijn naam is <PERSON>.'],
      ['Maximilian von Hohenberg will lead.', '<PERSON> will lead.'],
      ['refund it to Annelies van der Meer please', 'refund it to <PERSON> please'],
    ])
    for (const text of ['Facultad de Medicina', 'the Banco de Portugal rate']) {
      expect(
        personRecognizer.find(text).filter((f) => f.score >= MIN),
        text,
      ).toEqual([])
    }
  })
  it('reads greetings, titles, sign-offs and form fields of other languages, and more human verbs', () => {
    expectRedacted([
      ['Hoi Sanne, bel me even.', 'Hoi <PERSON>, bel me even.'],
      ['Hallo Jürgen,\n\nbis morgen.\n\nVG\nUwe', 'Hallo <PERSON>,\n\nbis morgen.\n\nVG\n<PERSON>'],
      ['Sehr geehrte Frau Schmidt-Rottluff, danke.', 'Sehr geehrte Frau <PERSON>, danke.'],
      ['Hi Ana, hi Femi,\n\nminutes attached.', 'Hi <PERSON>, hi <PERSON>,\n\nminutes attached.'],
      ['update your config.\n\n/Ingrid', 'update your config.\n\n/<PERSON>'],
      ['kun je het overmaken? Groetjes, Daan', 'kun je het overmaken? Groetjes, <PERSON>'],
      ['Met vriendelijke groet,\nJoris van Dijk\nKlantenservice', 'Met vriendelijke groet,\n<PERSON>\nKlantenservice'],
      ['Assigned: x\nReporter: Gulnara Abenova\nStatus: open', 'Assigned: x\nReporter: <PERSON>\nStatus: open'],
      ['{"args": "{\\"first_name\\": \\"Thabo\\"}"}', '{"args": "{\\"first_name\\": \\"<PERSON>\\"}"}'],
      ['Dilnoza Yusupova joined the Tashkent office.', '<PERSON> joined the Tashkent office.'],
      ['Precious Chikwanha is our new intern.', '<PERSON> is our new intern.'],
      ['Aroha Ngata from the Auckland team shared it.', '<PERSON> from the Auckland team shared it.'],
      ['Happy birthday Olumide!!', 'Happy birthday <PERSON>!!'],
      ['my roommate Siobhán owes me', 'my roommate <PERSON> owes me'],
    ])
  })
  it('does not read function words of other languages, German nouns, places or organisations as names', () => {
    for (const text of [
      'Si tienes tiempo, ¿puedes revisar el informe?',
      'Un saludo cordial a todo el equipo.',
      'Le prix est de 49,90 € TTC.',
      'Gentile cliente, il servizio sarà sospeso domenica.',
      'Buongiorno, vorrei sapere gli orari durante le vacanze di Natale.',
      'Sehr geehrte Damen und Herren, anbei erhalten Sie die Rechnung für den Monat März.',
      'Die Lieferung verzögert sich, da der Hersteller Probleme mit der Produktion hat.',
      'Mein Lehrer hat es heute im Unterricht nicht gut erklärt.',
      'Vielen Dank für Ihre Nachricht. Wir melden uns bei Ihnen.',
      'Lake Victoria borders Uganda.',
      'Route 66 runs from Chicago to Santa Monica.',
      'St. Louis Cardinals beat the Cubs.',
      'The Hudson River and the East River surround Manhattan.',
      'Unit 42 of Palo Alto Networks published it.',
      'Charles River Associates advised on the deal.',
      "Newton's method is covered in chapter 4.",
    ]) {
      expect(
        personRecognizer.find(text).filter((f) => f.score >= MIN && f.type === 'PERSON'),
        text,
      ).toEqual([])
    }
    // A field that holds a person keeps the name after a place's first word; a known given name keeps a surname that is a word.
    expectRedacted([
      ['{"user":"Santa Collier"}', '{"user":"Santa <PERSON>"}'],
      ['Sarah Park joined the team.', '<PERSON> joined the team.'],
    ])
  })
  it('reads no address in a date before "via", nor after "moved to" what opens like no address', () => {
    for (const text of [
      'Order shipped on 2025-03-04 via UPS, tracking pending.',
      'Our team moved to 4 sprints per quarter last year.',
      'The office moved to the third floor in 2023.',
    ]) {
      expect(
        streetAddressRecognizer.find(text).filter((f) => f.score >= MIN),
        text,
      ).toEqual([])
    }
    expectRedacted([['She moved to 221B Baker Street, London', 'She moved to <STREET_ADDRESS>']])
  })
  it('reads order, claim, meeting and purchase-order numbers as no phone numbers', () => {
    for (const text of [
      'The invoice number is INV-2025-000318 and the PO is 4500018832.',
      'Bestellnummer 4000-1234-5678 wurde storniert.',
      'Zoom meeting ID: 853 2247 1190, passcode 4471.',
      'The reference number for your claim is 7720-4410-9981.',
    ]) {
      expect(
        phoneRecognizer.find(text).filter((f) => f.score >= MIN),
        text,
      ).toEqual([])
    }
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
  it('reads firms, routes, cities in their state and holidays by their shape as no names, and keeps true names', () => {
    expectRedacted([
      [
        'Marks & Spencer and Ernst & Young opened offices here.',
        'Marks & Spencer and Ernst & Young opened offices here.',
      ],
      ['Train tickets from Florence to Milan sold out.', 'Train tickets from Florence to Milan sold out.'],
      ['The drive from Austin to San Antonio takes an hour.', 'The drive from Austin to San Antonio takes an hour.'],
      [
        'We opened stores in Toledo, Ohio and Albany, New York.',
        'We opened stores in Toledo, Ohio and Albany, New York.',
      ],
      ['The Jr. suffix: Sammy Davis Jr. Day is no holiday.', 'The Jr. suffix: Sammy Davis Jr. Day is no holiday.'],
      ['Ohio State and Orange County won.', 'Ohio State and Orange County won.'],
      [
        'She worked at Goldman Sachs and read the Washington Post.',
        'She worked at Goldman Sachs and read the Washington Post.',
      ],
      ['Forward the email from Anna to Ben.', 'Forward the email from <PERSON> to <PERSON>.'],
      ['Sarah Park and Austin Smith joined the call.', '<PERSON> and <PERSON> joined the call.'],
      ['Ford Madox Ford wrote it.', '<PERSON> wrote it.'],
      ['Thanks Anna, Georgia and Tom!', 'Thanks <PERSON>, <PERSON> and <PERSON>!'],
      ['Dr. Martin Luther King Jr. said so.', 'Dr. <PERSON> Jr. said so.'],
    ])
  })
  it('reads a street named as a topic, not as a place someone is, as no address', () => {
    expectRedacted([
      ['Main Street shops close early.', 'Main Street shops close early.'],
      [
        'Oak Street, Pine Road and Cedar Avenue are tree names.',
        'Oak Street, Pine Road and Cedar Avenue are tree names.',
      ],
      ['She lives on Maple Street near the school.', 'She lives on <STREET_ADDRESS> near the school.'],
    ])
  })
  it('reads a unit of a product or organisation, and an address of a network card or mailbox, as no address', () => {
    expectRedacted([
      [
        'The Adobe Creative Suite 2024 bundle includes Photoshop.',
        'The Adobe Creative Suite 2024 bundle includes Photoshop.',
      ],
      ['Unit 8200 of the army is known for cyber work.', 'Unit 8200 of the army is known for cyber work.'],
      [
        'The IP address format is four numbers like 10.1.2.3',
        'The IP address format is four numbers like <IP_ADDRESS>',
      ],
      ['Your email address must contain 1 @ sign.', 'Your email address must contain 1 @ sign.'],
      ['Mrs. Ana Lopez Apt. 675 62314 Oslo', 'Mrs. <PERSON> <STREET_ADDRESS>'],
    ])
  })
  it("takes AWS's documented sample keys as placeholders", () => {
    expectRedacted([
      ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
      [
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ],
      ['key AKIAQ3EGRQ7XJ5M4KZPB', 'key <SECRET>'],
    ])
  })
  it('reads the rest of a long digit chain with the words before the chain, and filler digits, as no phone', () => {
    expectRedacted([
      ['Tracking: 1Z99 9999 0000 1111 2222 3333 44', 'Tracking: 1Z99 9999 0000 1111 2222 3333 44'],
      ['Parcel tracking 9261 2900 1234 5678 9012 34', 'Parcel tracking 9261 2900 1234 5678 9012 34'],
      ['Call 0000 0000 00', 'Call 0000 0000 00'],
    ])
  })
  it('takes phone numbers after Dutch, Portuguese and Spanish phone words, and no street in "via" before one', () => {
    expectRedacted([
      ['Bel me op 06-12345678 morgen.', 'Bel me op <PHONE_NUMBER> morgen.'],
      ['Tlm: 913 456 789', 'Tlm: <PHONE_NUMBER>'],
      ['Por favor llame al 901 234 567.', 'Por favor llame al <PHONE_NUMBER>.'],
      ['Neem contact op via 010-7654321.', 'Neem contact op via <PHONE_NUMBER>.'],
      ['Rua Augusta 274, Lisboa', '<STREET_ADDRESS>'],
    ])
  })
  it('joins a name with a preposition particle on a signature line, and an airline-style given name after a slash', () => {
    expectRedacted([
      ['Met vriendelijke groet,\nJoost van den Berg', 'Met vriendelijke groet,\n<PERSON>'],
      ['Groeten,\nLotte de Haan\nUtrecht', 'Groeten,\n<PERSON>\nUtrecht'],
      ['Facultad de Medicina', 'Facultad de Medicina'],
      ['Passenger: ADEYEMI/TUNDE MR, seat 3A', 'Passenger: <PERSON> MR, seat 3A'],
      ['Banco de Portugal raised rates.', 'Banco de Portugal raised rates.'],
    ])
  })
  it('knows given names that subtitles write as proper nouns, reads German by its umlauts too, and fields as no speakers', () => {
    expectRedacted([
      ['We met Gareth Pryce and Lars Holm yesterday.', 'We met <PERSON> and <PERSON> yesterday.'],
      ['Approver chain: Lars Eriksen -> Freya Thorsen (CFO)', 'Approver chain: <PERSON> -> <PERSON> (CFO)'],
      ['Dr. Martin Luther King Jr. said so.', 'Dr. <PERSON> Jr. said so.'],
      // One German function word ("mit") and an ü: German, where capitalised nouns are no names.
      [
        'Wetter für Dresden: vormittags Nebel, nachmittags 14 °C, Wind aus Südwest mit 12 km/h.',
        'Wetter für Dresden: vormittags Nebel, nachmittags 14 °C, Wind aus Südwest mit 12 km/h.',
      ],
      // Months and weekdays of other languages, even where a name list holds them as surnames.
      [
        'Translate Montag, Dienstag, Mittwoch, Freitag and Sonntag into Danish.',
        'Translate Montag, Dienstag, Mittwoch, Freitag and Sonntag into Danish.',
      ],
      // A label whose value is a number, a price or a blank is a field, not a speaker.
      [
        'Burrs: 40 mm conical\nSettings: 40 stepped\nHopper: 250 g\nPower: 150 W',
        'Burrs: 40 mm conical\nSettings: 40 stepped\nHopper: 250 g\nPower: 150 W',
      ],
      ['Anna: can you send the deck?\nTom: sure, tonight', '<PERSON>: can you send the deck?\n<PERSON>: sure, tonight'],
    ])
  })
  it('reads tax, company and tracking codes as no phone numbers, and keeps a country-coded number near "order"', () => {
    expectRedacted([
      ['NIP: 526-000-12-46, SIRET : 732 829 320 00074', 'NIP: 526-000-12-46, SIRET : 732 829 320 00074'],
      ['Supplier VAT GB 294 7721 06', 'Supplier VAT GB 294 7721 06'],
      ['Tracking number: 1Z 4F8 E21 03 9915 7706.', 'Tracking number: 1Z 4F8 E21 03 9915 7706.'],
      ['Referenz: RF18 5390 0754 7034', 'Referenz: RF18 5390 0754 7034'],
      [
        'Chave de acesso: 3524 0512 3456 7800 0195 5500 1000 0482 1310 0048 2137',
        'Chave de acesso: 3524 0512 3456 7800 0195 5500 1000 0482 1310 0048 2137',
      ],
      [
        'Can you confirm the number on the order?\nCustomer: +30 694 218 3307',
        'Can you confirm the number on the order?\nCustomer: <PHONE_NUMBER>',
      ],
    ])
  })
  it('reads stations, airports and cities in their state by postal code as places', () => {
    expectRedacted([
      ['Train from Milano Centrale to Roma Termini at 9:10', 'Train from Milano Centrale to Roma Termini at 9:10'],
      ['Amersfoort Centraal, spoor 3, then Gare de Lyon', 'Amersfoort Centraal, spoor 3, then Gare de Lyon'],
      ['Out for delivery (Hawthorne, CA) at 08:12', 'Out for delivery (Hawthorne, CA) at 08:12'],
      ['Signed, Lena Ortiz, MD', 'Signed, <PERSON>, MD'],
    ])
  })
  it('takes the floors, flats and postcodes of more countries, and the address after its word in other languages', () => {
    expectRedacted([
      ['Kundin: Mariahilfer Straße 88/2/14, 1070 Wien', 'Kundin: <STREET_ADDRESS>'],
      ['Neue Anschrift: Weidenweg 12, 2. OG links, 04229 Leipzig', 'Neue Anschrift: <STREET_ADDRESS>'],
      ['Werkadres Oudegracht 144 bis, 3511 AZ Utrecht', 'Werkadres <STREET_ADDRESS>'],
      [
        'La entrega es en Calle de Toledo 54, 3.º izq., 28005 Madrid y mañana',
        'La entrega es en <STREET_ADDRESS> y mañana',
      ],
      [
        'Adresa clinicii: Str. Lipscani nr. 12, et. 2, ap. 4, sector 3, 030031 București. Pentru',
        'Adresa clinicii: <STREET_ADDRESS>. Pentru',
      ],
      ['Adres: Kouter 29, 9000 Gent. Annuleren kan', 'Adres: <STREET_ADDRESS>. Annuleren kan'],
      ['wohnhaft Am Lerchenfeld 9, 91550 Dinkelsbühl, die sich', 'wohnhaft <STREET_ADDRESS>, die sich'],
      // The word alone, and a number that follows it in a sentence about something else, hold no address.
      ['Die Adresse ist falsch, bitte 3 Tage warten.', 'Die Adresse ist falsch, bitte 3 Tage warten.'],
    ])
  })
  it('reads people by their role in other languages and after their titles there, and company forms as no person', () => {
    expectRedacted([
      ['Techniker: Ognjen Marković.', 'Techniker: <PERSON>.'],
      ['Cliente: Nerea Goikoetxea', 'Cliente: <PERSON>'],
      ['PIC: Rizky Pratama.', 'PIC: <PERSON>.'],
      ['Dobrý den, pane Dvořák,', 'Dobrý den, pane <PERSON>,'],
      ['Yth. Bapak Budi Santoso,', 'Yth. Bapak <PERSON>,'],
      // The label itself, a surname too, and a firm with its company form.
      ['Kunde: Müller AG', 'Kunde: Müller AG'],
    ])
  })
  it("reads a table's columns, and a form's labels said once with a value, as no people; speakers who talk as speakers", () => {
    expectRedacted([
      [
        '| Plan | Preis / Monat | Nutzer | Speicher |\n|------|------|------|------|\n| Starter | 9 € | 3 | 50 GB |',
        '| Plan | Preis / Monat | Nutzer | Speicher |\n|------|------|------|------|\n| Starter | 9 € | 3 | 50 GB |',
      ],
      [
        'Artikelnr;Bezeichnung;Menge;Einheit\n100-2231;Schraube;500;Stk',
        'Artikelnr;Bezeichnung;Menge;Einheit\n100-2231;Schraube;500;Stk',
      ],
      ['| Name | Phone |\n|---|---|\n| Anna Schmidt | 555 |', '| Name | Phone |\n|---|---|\n| <PERSON> | 555 |'],
      [
        'Cedente: Tipografia Lumen S.r.l. – P.IVA 04811220487\nCessionario: Cantina Sociale – P.IVA 00212340284',
        'Cedente: Tipografia Lumen S.r.l. – P.IVA 04811220487\nCessionario: Cantina Sociale – P.IVA 00212340284',
      ],
      ['Zorvath: What a wife.\nKelmira: Who are you?', '<PERSON>: What a wife.\n<PERSON>: Who are you?'],
      [
        '"idempotency_key": "33f0867d-b7d5-49bc-af48-7f2833d16f48"',
        '"idempotency_key": "33f0867d-b7d5-49bc-af48-7f2833d16f48"',
      ],
    ])
  })
  it("reads a site's gates and docks, an English gate, and a product's make as no address or person", () => {
    expectRedacted([
      [
        'ALL VISITORS MUST SIGN IN AT GATE 2. HARD HATS ON SITE.',
        'ALL VISITORS MUST SIGN IN AT GATE 2. HARD HATS ON SITE.',
      ],
      [
        'Please deliver to Gate 3 of the plant, dock B, before 07:30',
        'Please deliver to Gate 3 of the plant, dock B, before 07:30',
      ],
      ['Karl Johans gate 1, 0154 Oslo', '<STREET_ADDRESS>'],
      ['Make: Honda\nModel: Accord EX', 'Make: Honda\nModel: Accord EX'],
    ])
  })
  it("reads a name in capitals after a person's role on a form, and no English words or identifiers there", () => {
    expectRedacted([
      ['PATIENT: GEORGE OYELARAN\nWARD: 4B', 'PATIENT: <PERSON>\nWARD: 4B'],
      ['LOAN OFFICER: CARLOS MENDIETA NMLS #118822', 'LOAN OFFICER: <PERSON> NMLS #118822'],
      ['Paziente: COSTA GIANLUCA, nato il 03/09/1954', 'Paziente: <PERSON>, nato il 03/09/1954'],
      ['{"holder":"ZHANG YUTING","expiry":"09/29"}', '{"holder":"<PERSON>","expiry":"09/29"}'],
      ['BORROWER: SEE ATTACHED', 'BORROWER: SEE ATTACHED'],
      ['    - name: PAYMENT_API_KEY', '    - name: PAYMENT_API_KEY'],
    ])
  })
  it('reads Colombian, Portuguese and Turkish street forms (Carrera 7 # 71-21, Travessa, Bulvarı No: 211)', () => {
    expectRedacted([
      ['vive en Carrera 7 # 71-21, apto 502, Bogotá; su celular', 'vive en <STREET_ADDRESS>; su celular'],
      ['morada: Travessa do Fala-Só 9, 1.º Dto., 1250-109 Lisboa', 'morada: <STREET_ADDRESS>'],
      ['Teslimat: Bağdat Caddesi No: 145, 34728 Kadıköy', 'Teslimat: <STREET_ADDRESS>'],
    ])
  })
  it('reads "I am" and "it\'s" of other languages before the writer\'s own name', () => {
    expectRedacted([
      ["Salut Mathieu, c'est Geneviève! Je déménage", "Salut <PERSON>, c'est <PERSON>! Je déménage"],
      ['Hallo, ich bin Jonas und ich komme morgen.', 'Hallo, ich bin <PERSON> und ich komme morgen.'],
      ['Ciao, sono Marco', 'Ciao, sono <PERSON>'],
    ])
  })
  it('reads a known given name in lower case before a verb only people take, in text that opens in lower case', () => {
    expectRedacted([
      [
        "still no access to the Finance bucket, sana said she'd sort it",
        "still no access to the Finance bucket, <PERSON> said she'd sort it",
      ],
      [
        'hey nikhil — priyanka desai accepted! start date 1 July.',
        'hey <PERSON> — <PERSON> accepted! start date 1 July.',
      ],
      ['the server said no to the Retry', 'the server said no to the Retry'],
      ['Wife Funmi asks for a callback.', 'Wife <PERSON> asks for a callback.'],
    ])
  })
  it('reads a street written without a street word when a house number, a postcode and a city follow its name', () => {
    expectRedacted([
      ['Adres: Kouter 29, 9000 Gent.', 'Adres: <STREET_ADDRESS>.'],
      [
        'Zboží doručíme na Vinohradská 1511/230, 100 00 Praha 10. Kurýr vás',
        'Zboží doručíme na <STREET_ADDRESS>. Kurýr vás',
      ],
      ['buurvrouw (Zuiderdiep 61, 9711 HD Groningen) vraagt', 'buurvrouw (<STREET_ADDRESS>) vraagt'],
      [
        'Windows 11, 2024 Update is out; Version 2, 2024 Edition too',
        'Windows 11, 2024 Update is out; Version 2, 2024 Edition too',
      ],
    ])
  })
  it('reads a street and its postcode line as one address, indented or not', () => {
    expectRedacted([
      [
        'Rechnungsempfänger:\nAm Kupferhammer 3\n58762 Altena\n\nPos. 1',
        'Rechnungsempfänger:\nAm <STREET_ADDRESS>\n\nPos. 1',
      ],
      [
        'Empfänger:\n           Linzer Gasse 22/5\n           5020 Salzburg\n           Österreich\nTel. +43 662 87 14',
        'Empfänger:\n           <STREET_ADDRESS>\nTel. <PHONE_NUMBER>',
      ],
    ])
  })
  it('begins a street named before its type at its first capitalised word', () => {
    expectRedacted([['walk to Main Street 5 then left', 'walk to <STREET_ADDRESS> then left']])
  })
  it('reads holidays and feasts of many faiths and countries as no names', () => {
    expectRedacted([
      ['Offices close for Eid and reopen after Ramadan ends.', 'Offices close for Eid and reopen after Ramadan ends.'],
      ['Tet holidays start Monday; Diwali sale ends Friday.', 'Tet holidays start Monday; Diwali sale ends Friday.'],
      ['Cruises on the Black Sea and the Caspian Sea', 'Cruises on the Black Sea and the Caspian Sea'],
    ])
  })
  it('reads unknown capitalised words shaped like German abstract nouns as no names', () => {
    expectRedacted([
      ['# Einstellungen Rechnungsdruck', '# Einstellungen Rechnungsdruck'],
      ['# Konfiguration Messdatenerfassung – Werk Ingolstadt', '# Konfiguration Messdatenerfassung – Werk Ingolstadt'],
      ['We met Annika Lindqvist yesterday.', 'We met <PERSON> yesterday.'],
    ])
  })
  it("reads other languages' question words, languages by their own names, carriers and an address key inside an identifier as no finding", () => {
    expectRedacted([
      ['Jak vypočítat DPH 21 % z částky?', 'Jak vypočítat DPH 21 % z částky?'],
      ['Hur gör jag en återbetalning?', 'Hur gör jag en återbetalning?'],
      ['Bitte auf Deutsch oder Polski antworten.', 'Bitte auf Deutsch oder Polski antworten.'],
      ['Envio por Yurtiçi Kargo amanhã', 'Envio por Yurtiçi Kargo amanhã'],
      [
        '{"fields":["full_name","residential_address_proof","phone"],"max_age_days":90}',
        '{"fields":["full_name","residential_address_proof","phone"],"max_age_days":90}',
      ],
    ])
  })
  it("reads brands known by a founder's name as the firm alone, and as a name with a given name", () => {
    expectRedacted([
      ['Vergleich: Bosch Serie 6 gegen Siemens iQ500', 'Vergleich: Bosch Serie 6 gegen Siemens iQ500'],
      ['Siemens and Porsche reported results.', 'Siemens and Porsche reported results.'],
      ['Ferdinand Porsche founded it.', '<PERSON> founded it.'],
    ])
  })
})
