export type { Finding, Recognizer } from './recognizer.js'
export type { OperatorName, RedactResult, Redactor, RedactorOptions } from './redactor.js'
