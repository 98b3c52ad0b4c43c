export { Chain, GENESIS_HASH, genesis, recordHash } from './chain.js'
export type { ChainHead } from './chain.js'
