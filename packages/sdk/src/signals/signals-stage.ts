import type { NamedStage } from '../pipeline/stage.js'
import { createSignals, type SignalOptions } from './compute-signals.js'

/**
 * The pipeline's `signals` stage (after `redact`, before `encrypt`): fills `record.signals`. The redact
 * stage has already put the engine's response findings into `signals.pii_in_response`; they are kept.
 *
 * @example
 * ledger.insertStage(signalsStage({ extraUncertaintyPhrases: ['no idea'] }), 'redact')
 */
export function signalsStage(options: SignalOptions = {}): NamedStage {
  const signals = createSignals(options)
  return {
    name: 'signals',
    run(record) {
      record.signals = signals.compute(record)
      return record
    },
  }
}
