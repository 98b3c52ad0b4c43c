/**
 * US Social Security number ranges: area 000, 666 and 900–999, group 00 and serial 0000 were never issued.
 * Takes the nine digits without separators.
 *
 * @example
 * isValidSsn('123456780') // true; isValidSsn('666121234') // false
 */
export function isValidSsn(digits: string): boolean {
  if (digits.length !== 9) return false
  const area = Number(digits.slice(0, 3))
  const group = Number(digits.slice(3, 5))
  const serial = Number(digits.slice(5))
  if (area === 0 || area === 666 || area >= 900) return false
  if (group === 0 || serial === 0) return false
  return !isPlaceholderSsn(digits)
}

/**
 * The well-known placeholder and advertising numbers (123-45-6789, the 078-05-1120 of a wallet insert, 219-09-9999):
 * in issued ranges but nobody's. Written next to an SSN word they still stand for someone's number.
 *
 * @example
 * isPlaceholderSsn('123456789') // true
 */
export function isPlaceholderSsn(digits: string): boolean {
  return digits === '123456789' || digits === '078051120' || digits === '219099999'
}
