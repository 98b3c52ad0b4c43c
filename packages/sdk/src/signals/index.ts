export { computeSignals, createSignals, type SignalComputer, type SignalOptions } from './compute-signals.js'
export {
  BLOB_MIN_BASE64,
  BLOB_MIN_HEX,
  INJECTION_RULES,
  type InjectionResult,
  type InjectionRule,
  scoreInjection,
} from './injection-rules.js'
export { signalsStage } from './signals-stage.js'
export { scanText, type TextScan } from './text-scan.js'
export { DEFAULT_UNCERTAINTY_PHRASES, UncertaintyMatcher } from './uncertainty.js'
