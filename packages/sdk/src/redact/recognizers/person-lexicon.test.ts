import { describe, expect, it } from 'vitest'
import { AMBIGUOUS, BREAK, classify, hashWord, isPlaceName, lookup, NAME, personLexicon } from './person-lexicon.js'

describe('PERSON lexicon', () => {
  personLexicon()

  it('answers from its cache what the table answers', () => {
    const words = ['Maria', 'maria', 'The', 'Summer', 'Paris', 'Oluwaseun', 'Zzyzx', 'Kiannonkatu', 'ÉLODIE', 'Łukasz']
    for (let round = 0; round < 3; round++) {
      for (const w of words) {
        const h = hashWord(w, 0, w.length)
        expect(classify(w, 0, w.length), w).toBe(lookup(h))
      }
    }
    expect([NAME, AMBIGUOUS, BREAK]).toContain(classify('Maria', 0, 5))
  })

  it('recognises region names written in ASCII and beyond, in any case', () => {
    const at = (text: string, name: string): boolean => {
      const start = text.indexOf(name)
      return isPlaceName(text, start, start + name.length)
    }
    expect(at('flights to Sierra Leone today', 'Sierra Leone')).toBe(true)
    expect(at('AMERICAN SAMOA', 'AMERICAN SAMOA')).toBe(true)
    expect(at('the Åland Islands', 'Åland Islands')).toBe(true)
    expect(at('São Tomé & Príncipe', 'São Tomé & Príncipe')).toBe(true)
    expect(at('Maria Lopez', 'Maria Lopez')).toBe(false)
    expect(at('Åland Lopez', 'Åland Lopez')).toBe(false)
  })
})
