/** One span of text a recognizer believes holds an entity. Offsets are UTF-16 indices into the input. */
export interface Finding {
  type: string
  start: number
  end: number
  /** 0..1; the resolver keeps the higher score when findings overlap. */
  score: number
  /** Name of the recognizer that produced it (diagnostics; never the matched value). */
  recognizer?: string
}

/**
 * Finds candidate spans of one or more entity types in text. A recognizer proposes with a pattern,
 * confirms with validators (checksums, structure) and raises its score on context words nearby.
 * Patterns must run in linear time: no nested quantifiers, no unbounded backtracking.
 */
export interface Recognizer {
  readonly name: string
  readonly entities: readonly string[]
  find(text: string): readonly Finding[]
}

/** What a recognizer returns when it finds nothing: one shared, frozen array, so a miss allocates nothing. */
export const NO_FINDINGS: readonly Finding[] = Object.freeze([])
