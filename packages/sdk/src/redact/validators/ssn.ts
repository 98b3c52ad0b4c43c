/**
 * US Social Security number ranges: area 000, 666 and 900–999, group 00 and serial 0000 were never issued.
 * Takes the nine digits without separators.
 *
 * @example
 * isValidSsn('078051120') // true; isValidSsn('666121234') // false
 */
export function isValidSsn(digits: string): boolean {
  if (digits.length !== 9) return false
  const area = Number(digits.slice(0, 3))
  const group = Number(digits.slice(3, 5))
  const serial = Number(digits.slice(5))
  if (area === 0 || area === 666 || area >= 900) return false
  if (group === 0 || serial === 0) return false
  // Well-known placeholder and advertising numbers.
  if (digits === '123456789' || digits === '078051120' || digits === '219099999') return false
  return true
}
