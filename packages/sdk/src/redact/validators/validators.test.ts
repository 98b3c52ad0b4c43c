import { describe, expect, it } from 'vitest'
import { cardIssuer } from './card-issuer.js'
import { characterClasses, shannonEntropy } from './entropy.js'
import { ibanLength, isValidIban } from './iban.js'
import { isValidIpv4, isValidIpv6 } from './ip.js'
import { checkJwt } from './jwt.js'
import { luhn } from './luhn.js'
import { isValidSsn } from './ssn.js'

describe('luhn', () => {
  it('accepts valid numbers with separators and rejects one-digit changes', () => {
    expect(luhn('4111 1111 1111 1111')).toBe(true)
    expect(luhn('378282246310005')).toBe(true)
    expect(luhn('4111111111111112')).toBe(false)
    expect(luhn('')).toBe(false)
  })

  it('checks a range of a longer text as the slice itself', () => {
    const text = 'card 4111 1111 1111 1111, ref 4111111111111112'
    expect(luhn(text, 5, 24)).toBe(true)
    expect(luhn(text, 30, 46)).toBe(false)
    expect(luhn(text, 30, 45)).toBe(luhn(text.slice(30, 45)))
    expect(luhn(text, 5, 5)).toBe(false)
  })
})

describe('cardIssuer', () => {
  it('knows issuer prefixes and lengths', () => {
    expect(cardIssuer('4111111111111111')).toBe('visa')
    expect(cardIssuer('2221000000000009')).toBe('mastercard')
    expect(cardIssuer('2721000000000000')).toBe(null) // past the 2-series range
    expect(cardIssuer('378282246310005')).toBe('amex')
    expect(cardIssuer('3782822463100050')).toBe(null) // Amex is 15 digits
    expect(cardIssuer('6011111111111117')).toBe('discover')
    expect(cardIssuer('3530111333300000')).toBe('jcb')
    expect(cardIssuer('9999999999999995')).toBe(null)
  })
})

describe('iban', () => {
  it('checks mod-97 and the per-country length', () => {
    expect(isValidIban('GB82WEST12345698765432')).toBe(true)
    expect(isValidIban('DE89370400440532013000')).toBe(true)
    expect(isValidIban('GB82WEST12345698765433')).toBe(false) // check digits
    expect(isValidIban('GB82WEST1234569876543')).toBe(false) // length
    expect(isValidIban('ZZ82WEST12345698765432')).toBe(false) // country
    expect(ibanLength('NO')).toBe(15)
  })
})

describe('ssn', () => {
  it('rejects never-issued ranges', () => {
    expect(isValidSsn('123456780')).toBe(true)
    expect(isValidSsn('000121234')).toBe(false)
    expect(isValidSsn('666121234')).toBe(false)
    expect(isValidSsn('912121234')).toBe(false)
    expect(isValidSsn('123001234')).toBe(false)
    expect(isValidSsn('123450000')).toBe(false)
  })
})

describe('entropy', () => {
  it('separates generated strings from repetition', () => {
    expect(shannonEntropy('aaaaaaaa')).toBe(0)
    expect(shannonEntropy('aZ3$kP9q')).toBe(3)
    expect(characterClasses('abcDEF12')).toBe(3)
  })
})

describe('jwt', () => {
  it('decodes the header', () => {
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')
    const body = Buffer.from('{"sub":"1"}').toString('base64url')
    expect(checkJwt(`${header}.${body}.c2lnbmF0dXJlLXZhbHVl`)).toBe('valid')
    expect(checkJwt('eyJxxxxxxxxxxxxxx.eyJyyyyyyyyyyyyyyyy.zzzzzzzzzzzzz')).toBe('shaped')
    expect(checkJwt('abc.def.ghi')).toBe('invalid')
  })
})

describe('ip', () => {
  it('parses v4 strictly', () => {
    expect(isValidIpv4('192.168.0.1')).toBe(true)
    expect(isValidIpv4('256.1.1.1')).toBe(false)
    expect(isValidIpv4('01.2.3.4')).toBe(false)
    expect(isValidIpv4('1.2.3')).toBe(false)
  })
  it('parses v6 and rejects clock times', () => {
    expect(isValidIpv6('2001:db8::8a2e:370:7334')).toBe(true)
    expect(isValidIpv6('c656:dd7c:bfcd:c7c7:bb7a:d61d:25ab:f45f')).toBe(true)
    expect(isValidIpv6('10:22:11')).toBe(false)
    expect(isValidIpv6('::1')).toBe(false)
  })
})
