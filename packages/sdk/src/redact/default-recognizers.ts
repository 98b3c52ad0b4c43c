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
