/**
 * One cheap pass over the text that every recognizer reads to skip work: most texts have no digit run long enough
 * for a card, no '@', no capitalised word. Memoised on the last text so several recognizers share one scan.
 */
export interface TextProfile {
  /** Most digits in one run where digits are separated by at most two of ` -.()/+`. */
  maxDigitRun: number
  /** Total digits. */
  digits: number
  /** Upper-case letters (ASCII, plus any non-ASCII letter, which may be upper case). */
  upper: number
}

let lastText: string | null = null
let last: TextProfile = { maxDigitRun: 0, digits: 0, upper: 0 }

/** Profiles `text`; a second call with the same string returns the cached result. */
export function profile(text: string): TextProfile {
  if (text === lastText) return last
  let maxRun = 0
  let run = 0
  let gap = 0
  let digits = 0
  let upper = 0
  // Hot loop: char codes only, no allocation, one branch per class.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      digits++
      run++
      gap = 0
      if (run > maxRun) maxRun = run
    } else if (
      run > 0 &&
      gap < 2 &&
      (c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 47 || c === 43)
    ) {
      gap++
    } else {
      run = 0
      gap = 0
      if ((c >= 65 && c <= 90) || c > 127) upper++
    }
  }
  lastText = text
  last = { maxDigitRun: maxRun, digits, upper }
  return last
}
