// Per-country IBAN lengths (ISO 13616 registry).
const LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
}

/** The registered IBAN length for a two-letter country code, or undefined. */
export function ibanLength(country: string): number | undefined {
  return LENGTHS[country]
}

/**
 * Validates a compact, upper-case IBAN: known country, that country's length, and the ISO 7064 mod-97 check.
 * Computed digit by digit so it never builds a big integer or a rearranged string.
 *
 * @example
 * isValidIban('GB82WEST12345698765432') // true
 */
export function isValidIban(iban: string): boolean {
  const expected = LENGTHS[iban.slice(0, 2)]
  if (expected === undefined || iban.length !== expected) return false
  let rem = 0
  for (let k = 0; k < iban.length; k++) {
    const i = (k + 4) % iban.length // rearranged: the first four characters move to the end
    const c = iban.charCodeAt(i)
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97
    else return false
  }
  return rem === 1
}
