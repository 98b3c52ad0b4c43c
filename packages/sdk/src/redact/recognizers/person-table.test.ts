import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { classify, NAME, personLexicon } from './person-lexicon.js'
import { personTableSource } from './person-table-generate.js'

describe('precomputed PERSON table', () => {
  it('matches what its sources build today (regenerate with person-table-generate.ts when this fails)', () => {
    const stored = readFileSync(fileURLToPath(new URL('./person-table.generated.ts', import.meta.url)), 'utf8')
    expect(stored === personTableSource()).toBe(true)
  })
  it('loads in well under a second and classifies words', () => {
    const t0 = performance.now()
    personLexicon()
    expect(performance.now() - t0).toBeLessThan(1000) // generous bound; about 10 ms unloaded
    expect(classify('Maria', 0, 5)).toBe(NAME)
  })
})
