import { describe, expect, it } from 'vitest'
import { defaultRecognizers } from './default-recognizers.js'

// 1 MB inputs built to make a backtracking pattern go quadratic or worse: long runs of the characters each
// pattern repeats, separators that almost complete a match, and a near-miss at the very end.
const MB = 1 << 20
const inputs: Record<string, string> = {
  letters: 'a'.repeat(MB),
  capitals: 'Aa '.repeat(MB / 3),
  digits: '1'.repeat(MB),
  groupedDigits: '1 '.repeat(MB / 2),
  dashedDigits: '12-'.repeat(MB / 3),
  dots: '1.'.repeat(MB / 2),
  colons: 'a:'.repeat(MB / 2),
  emailish: 'a.'.repeat(MB / 2) + '@',
  ats: 'a@'.repeat(MB / 2),
  keyish: 'sk-'.repeat(MB / 3),
  jwtish: 'eyJ' + 'a'.repeat(MB / 2) + '.eyJ' + 'b'.repeat(MB / 2 - 10),
  assignments: 'password='.repeat(MB / 9),
  pem: '-----BEGIN RSA PRIVATE KEY-----' + 'A'.repeat(MB),
  addressish: '1 Main '.repeat(MB / 7),
  words: 'Street 1 Apt '.repeat(MB / 13),
  ibanish: 'GB82 '.repeat(MB / 5),
  plus: '+1 ('.repeat(MB / 4),
}

describe('linear-time recognizers', () => {
  for (const recognizer of defaultRecognizers()) {
    it(`${recognizer.name} handles 1 MB adversarial inputs well under the bound`, () => {
      for (const [name, text] of Object.entries(inputs)) {
        const t0 = performance.now()
        recognizer.find(text)
        const ms = performance.now() - t0
        // Generous: linear scans take milliseconds; a quadratic one on 1 MB takes minutes.
        expect(ms, `${recognizer.name} on ${name}`).toBeLessThan(5000)
      }
    })
  }
})
