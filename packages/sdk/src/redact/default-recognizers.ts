import type { Recognizer } from './recognizer.js'
import { creditCardRecognizer } from './recognizers/credit-card-recognizer.js'
import { emailRecognizer } from './recognizers/email-recognizer.js'
import { ibanRecognizer } from './recognizers/iban-recognizer.js'
import { ipRecognizer } from './recognizers/ip-recognizer.js'
import { personRecognizer } from './recognizers/person-recognizer.js'
import { phoneRecognizer } from './recognizers/phone-recognizer.js'
import { secretRecognizer } from './recognizers/secret-recognizer.js'
import { streetAddressRecognizer } from './recognizers/street-address-recognizer.js'
import { usSsnRecognizer } from './recognizers/us-ssn-recognizer.js'

/**
 * The built-in recognizers whose verdict on a digit run depends on context words nearby (phone, card, SSN): after a
 * replacement changes a neighbour's context, these are the ones that must read the output again.
 */
export function contextDigitRecognizers(): Recognizer[] {
  return [creditCardRecognizer, usSsnRecognizer, phoneRecognizer]
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
