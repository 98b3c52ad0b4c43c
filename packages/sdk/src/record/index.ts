export { canonicalize, canonicalOrSame } from './canonical.js'
export * from './log-input.js'
export * from './schema.js'
export { uuidv7, uuidv7Time } from './uuidv7.js'
