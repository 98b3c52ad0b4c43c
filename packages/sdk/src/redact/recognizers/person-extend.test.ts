import { describe, expect, it } from 'vitest'
import { personRecognizer } from './person-recognizer.js'

const MIN = 0.5
const names = (text: string): string[] =>
  personRecognizer
    .find(text)
    .filter((f) => f.score >= MIN)
    .map((f) => text.slice(f.start, f.end))
    .sort()

describe('PERSON across runs of words', () => {
  it('follows a found name to its lone mentions', () => {
    expect(names('The film was directed by Joakim Westgård, starring Westgård himself.')).toEqual([
      'Joakim Westgård',
      'Westgård',
    ])
  })
  it('reads coordinated lists of names as a group', () => {
    expect(names('Modules: Qwixel, Zubrovka and Brantix.')).toEqual([])
    expect(names('Our partners: Okonkwo, Hannah and Lindqvist.')).toEqual(['Hannah', 'Lindqvist', 'Okonkwo'])
    expect(names('invited: anastasia, johannes, okonkwo and margarethe.')).toEqual([
      'anastasia',
      'johannes',
      'margarethe',
      'okonkwo',
    ])
  })
  it('reads known names in text written without capitals', () => {
    expect(names('please follow up with patricia okonkwo next week')).toEqual(['patricia okonkwo'])
  })
  it('takes an unknown word as a name from a verb only people do, or a dialogue label', () => {
    expect(names('Okonkwo said the meeting moved.')).toEqual(['Okonkwo'])
    expect(names('Okonkwo: Are you there?\nHannah: Yes.')).toContain('Okonkwo')
  })
  it('takes two unknown capitalised words as a name from a possessive, a verb or a line of their own', () => {
    expect(names("Okonkwo Zubrovka's lawyers appealed.")).toEqual(['Okonkwo Zubrovka'])
    expect(names('Okonkwo Zubrovka lives near the station.')).toEqual(['Okonkwo Zubrovka'])
    expect(names('Okonkwo Zubrovka\n\nnurse, night shift')).toEqual(['Okonkwo Zubrovka'])
  })
  it('reads parts of multi-word region names as names, but not the region itself', () => {
    expect(names('Please add Tristan Dennis and Martin Karlsen.')).toEqual(['Martin Karlsen', 'Tristan Dennis'])
  })
  it('leaves common words, products, places and lower-case lists alone', () => {
    for (const text of [
      'Compare Python, Java and Rust for this.',
      'We use Docker, Kubernetes and Terraform in production.',
      'Apple, Google and Microsoft reported earnings.',
      'Summer, Autumn and Winter are seasons.',
      'Terms and Conditions apply.',
      'add tom, will and grace to the list',
      'install react, redux and webpack today',
      'Supabase: a postgres database',
      'the function returns null and the caller panics.',
      'Flights to Costa Rica, Sierra Leone and the Marshall Islands.',
      'What is the capital of South Georgia and the South Sandwich Islands?',
      'Release Notes\n\nFixed bugs.',
      "Google Cloud's pricing changed.",
      'Kubernetes Operators\n\ntext',
    ]) {
      expect(names(text), text).toEqual([])
    }
  })
})
