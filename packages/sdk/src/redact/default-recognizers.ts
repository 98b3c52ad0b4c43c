import type { Recognizer } from './recognizer.js'
import { CARD_GATE, creditCardRecognizer } from './recognizers/credit-card-recognizer.js'
import { EMAIL_GATE, emailRecognizer } from './recognizers/email-recognizer.js'
import { IBAN_GATE, ibanRecognizer } from './recognizers/iban-recognizer.js'
import { IP_GATE, ipRecognizer } from './recognizers/ip-recognizer.js'
import { personRecognizer } from './recognizers/person-recognizer.js'
import { PHONE_GATE, phoneRecognizer } from './recognizers/phone-recognizer.js'
import { SECRET_GATE, secretRecognizer } from './recognizers/secret-recognizer.js'
import { STREET_GATE, streetAddressRecognizer } from './recognizers/street-address-recognizer.js'
import { SSN_GATE, usSsnRecognizer } from './recognizers/us-ssn-recognizer.js'

/**
 * The built-in recognizers whose verdict on a digit run depends on context words nearby (phone, card, SSN): after a
 * replacement changes a neighbour's context, these are the ones that must read the output again.
 */
export function contextDigitRecognizers(): Recognizer[] {
  return [creditCardRecognizer, usSsnRecognizer, phoneRecognizer]
}

/**
 * The person recognizer and the digit recognizers, in the order defaultRecognizers() runs them: what reads the output
 * again when a replacement may have cut or joined a run of capitalised words (NAME_RUNS in stable-check.ts).
 */
export function nameAndDigitRecognizers(): Recognizer[] {
  return [creditCardRecognizer, usSsnRecognizer, phoneRecognizer, personRecognizer]
}

/** Every built-in recognizer. A fresh array each call so callers may filter it. */
export function defaultRecognizers(): Recognizer[] {
  return [
    emailRecognizer,
    secretRecognizer,
    creditCardRecognizer,
    ibanRecognizer,
    usSsnRecognizer,
    ipRecognizer,
    phoneRecognizer,
    personRecognizer,
    streetAddressRecognizer,
  ]
}

// Each built-in recognizer's first test, as text-profile bits: without one of them in the text it finds nothing.
const GATES = new Map<Recognizer, number>([
  [emailRecognizer, EMAIL_GATE],
  [secretRecognizer, SECRET_GATE],
  [creditCardRecognizer, CARD_GATE],
  [ibanRecognizer, IBAN_GATE],
  [usSsnRecognizer, SSN_GATE],
  [ipRecognizer, IP_GATE],
  [phoneRecognizer, PHONE_GATE],
  [streetAddressRecognizer, STREET_GATE],
])

/**
 * The text-profile bits of which a text must hold one for `recognizer` to find anything, or -1 (every text) for
 * PERSON and any recognizer that is not built in. The engine skips the call when the profile holds none: most texts
 * lack the digits, `@` or key words that most recognizers need, and the call itself is then most of their cost.
 */
export function profileGate(recognizer: Recognizer): number {
  return GATES.get(recognizer) ?? -1
}
