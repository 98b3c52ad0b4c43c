export type { Finding, Recognizer } from './recognizer.js'
export type { OperatorName, RecordRedaction, RedactResult, Redactor, RedactorOptions } from './redactor.js'
