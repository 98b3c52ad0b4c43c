import { KEEPS_CANONICAL, type NamedStage } from '../pipeline/stage.js'
import { createSignals, type SignalOptions } from './compute-signals.js'

/**
 * The pipeline's `signals` stage, first (before `redact`): fills `record.signals` from the raw text,
 * because redaction placeholders can hide phrases ("<PERSON> idea"). It stores no content: flags,
 * scores, counts, rule names and configured phrases only. The redact stage then adds `pii_in_response`.
 *
 * @example
 * createLedger({ signals: { extraUncertaintyPhrases: ['no idea'] } }) // the ledger adds this stage
 */
export function signalsStage(options: SignalOptions = {}): NamedStage {
  const signals = createSignals(options)
  return {
    name: 'signals',
    run(record) {
      record.signals = signals.compute(record)
      return record
    },
    // compute() adds its keys in code-unit order (and sorts a caller's signals merged in).
    [KEEPS_CANONICAL]: true,
  }
}
