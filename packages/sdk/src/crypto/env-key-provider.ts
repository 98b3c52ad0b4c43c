import { PromptLedgerError } from '../errors.js'
import type { KeyProvider } from './key-provider.js'
import { assertMasterKey, masterKeyId, unwrapKey, wrapKey } from './master-key.js'

export interface EnvKeyProviderOptions {
  /** The base64 master key (32 bytes decoded), as read by the config module from its env var. */
  masterKeyBase64: string
  /** Names the source in errors (e.g. the env var's name); never the value. */
  source?: string
}

/**
 * A master key handed in by configuration, for containers whose secrets arrive as env vars. The
 * class never reads `process.env` itself: the config module does and passes the value in.
 *
 * @example
 * const provider = new EnvKeyProvider({ masterKeyBase64: config.masterKey, source: 'PROMPTLEDGER_MASTER_KEY' })
 */
export class EnvKeyProvider implements KeyProvider {
  readonly masterKeyId: string
  readonly #key: Buffer

  constructor(options: EnvKeyProviderOptions) {
    const source = options.source ?? 'master key'
    const text = options.masterKeyBase64.trim()
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
      throw new PromptLedgerError('CONFIG_INVALID', `${source}: expected base64 of a 32-byte key`)
    }
    this.#key = Buffer.from(text, 'base64')
    assertMasterKey(this.#key, source)
    this.masterKeyId = masterKeyId(this.#key)
  }

  wrap(dataKey: Buffer): Buffer {
    return wrapKey(this.#key, dataKey)
  }

  unwrap(wrapped: Buffer): Buffer {
    return unwrapKey(this.#key, wrapped, this.masterKeyId)
  }
}
