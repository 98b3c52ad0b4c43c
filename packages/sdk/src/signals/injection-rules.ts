import { buildPhraseAutomaton, mayContainPhrase } from './phrase-automaton.js'
import { hasLongRunStretch, scanText, type TextScan } from './text-scan.js'

/** One prompt-injection heuristic: its name (stored in `injection_rules`), weight 0..1, and test. */
export interface InjectionRule {
  readonly name: string
  /** How strongly a match alone suggests an injection attempt; weights combine as independent evidence. */
  readonly weight: number
  test(scan: TextScan): boolean
}

// The patterns run on normalized text (lower case, single spaces, invisible characters removed), so they
// need no `\s+` and no case folding; each is a bounded alternation of literals: linear in the text.
const OVERRIDE =
  /\b(?:ignore|disregard|forget|skip|override|bypass) (?:all |any |the |your |my |of )*(?:previous|prior|above|earlier|preceding|former|original|system|initial|these|those)(?: \w+)? (?:instructions?|prompts?|rules|directions?|guidelines|messages?|context|constraints)\b|\bdisregard (?:the |everything )?above\b|\bforget (?:everything|all)(?: you were told)? (?:above|before|so far)\b|\bnew instructions:|\bfrom now on,? you (?:will|must|are)\b/
const PERSONA =
  /\byou are now (?:dan|an? (?:unrestricted|unfiltered|uncensored|jailbroken|evil)\b)|\bdo anything now\b|\b(?:developer|god|jailbreak|dan) mode\b|\bact as (?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken)\b|\bpretend (?:that )?you (?:have no|are not bound by|don't have) (?:restrictions|rules|guidelines|filters)\b|\bwithout any (?:restrictions|filters|censorship)\b/
const EXFILTRATE =
  /\b(?:reveal|print|show|repeat|output|display|tell me|leak|dump|what (?:is|are)) (?:me )?(?:your|the) (?:full |entire |exact |original |initial |hidden |secret )?(?:system prompt|system message|initial prompt|hidden prompt|instructions you were given|developer message|prompt above)\b|\brepeat (?:the|everything) (?:words |text )?above\b/
/** Chat-template and role markers of common model families; users have no reason to type them. */
const ROLE_TOKENS = [
  '<|im_start|>',
  '<|im_end|>',
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|endoftext|>',
  '<|begin_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '[inst]',
  '[/inst]',
  '<<sys>>',
  '<</sys>>',
  '### system:',
  '### instruction:',
  '### assistant:',
  '<start_of_turn>',
  '<end_of_turn>',
]

// Cheap native prefilters: every phrase of a pattern above contains one of these words, and every role
// token one of these characters, so most prompts skip the longer alternations altogether.
const OVERRIDE_HINT = /ignore|disregard|forget|skip|override|bypass|new instructions|from now on/
const PERSONA_HINT = /you are now|anything now| mode\b|act as|pretend|without any/
const EXFILTRATE_HINT = /prompt|system message|instructions you|developer message|above/
const ROLE_HINT = /[<[#]/
/** The four hints above, as the rules use them; the combined check below must match exactly when one of them does. */
export const INJECTION_HINTS: readonly RegExp[] = [OVERRIDE_HINT, PERSONA_HINT, EXFILTRATE_HINT, ROLE_HINT]
// Hot path: the four hints in one alternation grouped by first letter. Most prompts match none, and one
// native pass over them costs about 25% less than the four separate passes (3.4 → 2.5 µs on the benches'
// 1.2 KB prompt); a prompt that matches still runs each rule's own hint and pattern.
const ANY_HINT =
  /[<[#]|a(?:bove|nything now|ct as)|bypass|d(?:isregard|eveloper message)|f(?:orget|rom now on)|i(?:gnore|nstructions you)|new instructions|override|p(?:rompt|retend)|s(?:kip|ystem message)|without any|you are now| mode\b/

/** Whether any of {@link INJECTION_HINTS} matches `normalized`: one pass instead of four. */
export function hasInjectionHint(normalized: string): boolean {
  return ANY_HINT.test(normalized)
}

/**
 * {@link ANY_HINT} as phrases of an automaton that reads the raw prompt: most prompts hold no hint
 * and no character the scan counts, and for them the scan (normalized copy, run counts, then this
 * alternation on the copy: 3.5 µs on the benches' 1.2 KB prompt) is skipped for one table walk (0.5 µs).
 * A property test holds the two to the same answer.
 */
const HINT_AUTOMATON = buildPhraseAutomaton(
  [
    ...[
      '<',
      '[',
      '#',
      'above',
      'anything now',
      'act as',
      'bypass',
      'disregard',
      'developer message',
      'forget',
      'from now on',
      'ignore',
      'instructions you',
      'new instructions',
      'override',
      'prompt',
      'pretend',
      'skip',
      'system message',
      'without any',
      'you are now',
    ].map((text) => ({ text })),
    { text: ' mode', wordEnd: true },
  ],
  { asciiTables: true },
)!

/** Runs of this many base64 characters (mixed case and digits) or hex digits count as encoded payloads. */
export const BLOB_MIN_BASE64 = 120
export const BLOB_MIN_HEX = 128

/**
 * The built-in rules, strongest first. Weights: a phrase that exists only to override instructions is
 * strong evidence; an encoded blob or a stray zero-width space alone is weak (pasted data does that).
 */
export const INJECTION_RULES: readonly InjectionRule[] = [
  { name: 'unicode_tags', weight: 0.9, test: (s) => s.tagChars > 0 },
  {
    name: 'override_instructions',
    weight: 0.8,
    test: (s) => OVERRIDE_HINT.test(s.normalized) && OVERRIDE.test(s.normalized),
  },
  {
    name: 'persona_jailbreak',
    weight: 0.7,
    test: (s) => PERSONA_HINT.test(s.normalized) && PERSONA.test(s.normalized),
  },
  {
    name: 'role_token',
    weight: 0.6,
    test: (s) => ROLE_HINT.test(s.normalized) && ROLE_TOKENS.some((t) => s.normalized.includes(t)),
  },
  {
    name: 'prompt_exfiltration',
    weight: 0.6,
    test: (s) => EXFILTRATE_HINT.test(s.normalized) && EXFILTRATE.test(s.normalized),
  },
  { name: 'invisible_chars', weight: 0.4, test: (s) => s.invisibleChars > 0 },
  {
    name: 'encoded_blob',
    weight: 0.3,
    test: (s) => s.longestBase64 >= BLOB_MIN_BASE64 || s.longestHex >= BLOB_MIN_HEX,
  },
]

/** The built-in rules that read character counts only: all that can fire when no hint matches. */
const COUNT_RULES = new Set(['unicode_tags', 'invisible_chars', 'encoded_blob'])
const BUILT_IN_COUNT_RULES = INJECTION_RULES.filter((r) => COUNT_RULES.has(r.name))

/** Whether a raw prompt may contain a hint or a character the scan counts; false proves it holds neither. */
export function mayHaveInjectionHint(text: string): boolean {
  return mayContainPhrase(HINT_AUTOMATON, text)
}

export interface InjectionResult {
  /** 1 − Π(1 − weight) over the rules that fired, rounded to 3 decimals; 0 when none fired. */
  score: number
  rules: string[]
}

/**
 * Scores one scanned text against `rules`.
 *
 * @example
 * scoreInjection(scanText('Ignore previous instructions')).rules // ['override_instructions']
 */
export function scoreInjection(scan: TextScan, rules: readonly InjectionRule[] = INJECTION_RULES): InjectionResult {
  return score(rules === INJECTION_RULES && !ANY_HINT.test(scan.normalized) ? BUILT_IN_COUNT_RULES : rules, scan)
}

/**
 * `scoreInjection(scanText(text), rules)`. With the built-in rules, a prompt without any hint (by
 * {@link mayHaveInjectionHint}, which also rules out tag and invisible characters) and without a
 * stretch of run characters as long as the shortest blob fires nothing, so it is not scanned.
 *
 * @example
 * scorePrompt('What is the capital of France?') // { score: 0, rules: [] }
 */
export function scorePrompt(text: string, rules: readonly InjectionRule[] = INJECTION_RULES): InjectionResult {
  if (rules === INJECTION_RULES && !mayHaveInjectionHint(text) && !hasLongRunStretch(text, SHORTEST_BLOB)) {
    return { score: 0, rules: [] }
  }
  return scoreInjection(scanText(text), rules)
}

const SHORTEST_BLOB = Math.min(BLOB_MIN_BASE64, BLOB_MIN_HEX)

function score(run: readonly InjectionRule[], scan: TextScan): InjectionResult {
  let keep = 1
  const fired: string[] = []
  for (const rule of run) {
    if (!rule.test(scan)) continue
    fired.push(rule.name)
    keep *= 1 - rule.weight
  }
  return { score: Math.round((1 - keep) * 1000) / 1000, rules: fired }
}
