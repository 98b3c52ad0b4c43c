export * from './schema.js'
export * from './log-input.js'
export { uuidv7, uuidv7Time } from './uuidv7.js'
export { canonicalize } from './canonical.js'
