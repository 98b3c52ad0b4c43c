import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto'
import type { Keyring } from '../crypto/keyring.js'
import { canonicalize } from '../record/canonical.js'

/**
 * A signed statement "stream S had head H at seq N at time T". Checkpoints pin the chain: an attacker
 * who rewrites records and recomputes every hash still cannot produce a matching signature.
 */
export interface Checkpoint {
  stream: string
  seq: number
  hash: string
  ts: string
  /** At a segment seal: the archive the signer made from the bytes it wrote itself (see {@link ArchiveClaim}). */
  archive?: ArchiveClaim
  /** Ed25519 signature (base64) over the canonical JSON of the fields above (`archive` only when present). */
  sig: string
}

/**
 * What a seal checkpoint also signs: the sealed archive's SHA-256 and the records it holds. The writer
 * compresses the segment from the bytes it appended in this process (never re-read from disk), so the
 * signature vouches for every record of the archive: `verify` then proves a sealed segment by one
 * SHA-256 of the archive instead of inflating and re-hashing every record (`--deep` still does both).
 */
export interface ArchiveClaim {
  /** SHA-256 (hex) of the archive file as stored (`.ndjson.gz` or `.ndjson.br`). */
  sha256: string
  first_seq: number
  /** prev_hash of the first record: the link to the previous segment. */
  prev_hash: string
  records: number
}

/** The keyring entry holding the PKCS#8 PEM of the ledger's Ed25519 signing key. */
export const SIGNING_KEY_NAME = 'checkpoint-signing-key'
/** File name, in the data dir, of the signing key's public half; `verify` needs only this file. */
export const PUBLIC_KEY_FILE = 'checkpoint-public-key.pem'

function payload(cp: Omit<Checkpoint, 'sig'>): Buffer {
  const body = { hash: cp.hash, seq: cp.seq, stream: cp.stream, ts: cp.ts }
  return Buffer.from(canonicalize(cp.archive === undefined ? body : { archive: cp.archive, ...body }))
}

/** A signer of checkpoints with its public key in PEM (SPKI). */
export interface CheckpointSigner {
  publicKeyPem: string
  sign(head: { stream: string; seq: number; hash: string; archive?: ArchiveClaim }, ts?: string): Checkpoint
}

/**
 * The ledger's checkpoint signer: the Ed25519 key lives in the keyring, created on first use.
 *
 * @example
 * const signer = checkpointSigner(openKeyring(dir))
 * const cp = signer.sign({ stream: 'app', seq: 41, hash })
 */
export function checkpointSigner(keyring: Keyring): CheckpointSigner {
  const pem = keyring.getOrCreate(SIGNING_KEY_NAME, () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  )
  const privateKey = createPrivateKey(pem)
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()
  return {
    publicKeyPem,
    sign(head, ts = new Date().toISOString()) {
      const body: Omit<Checkpoint, 'sig'> = { stream: head.stream, seq: head.seq, hash: head.hash, ts }
      if (head.archive) body.archive = head.archive
      return { ...body, sig: sign(null, payload(body), privateKey).toString('base64') }
    },
  }
}

// verify checks one checkpoint per segment and every N records with the same PEM: parsing it once
// instead of per checkpoint was a visible share of verifying a large ledger.
let lastPem: string | undefined
let lastKey: KeyObject | undefined

function publicKeyOf(pem: string): KeyObject {
  if (pem !== lastPem || lastKey === undefined) {
    lastKey = createPublicKey(pem)
    lastPem = pem
  }
  return lastKey
}

/** Whether a checkpoint's signature is valid under `publicKey` (PEM or KeyObject). */
export function verifyCheckpoint(cp: Checkpoint, publicKey: KeyObject | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? publicKeyOf(publicKey) : publicKey
    return verify(null, payload(cp), key, Buffer.from(cp.sig, 'base64'))
  } catch {
    // A malformed signature or key is an invalid signature, reported by the caller as bad-signature.
    return false
  }
}

/**
 * `verifyCheckpoint` on the libuv thread pool (Ed25519 verification off the calling thread), so that
 * `verify` checks many seal signatures at once on every core.
 */
export function verifyCheckpointAsync(cp: Checkpoint, publicKey: KeyObject | string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const key = typeof publicKey === 'string' ? publicKeyOf(publicKey) : publicKey
      verify(null, payload(cp), key, Buffer.from(cp.sig, 'base64'), (err, ok) => resolve(!err && ok))
    } catch {
      resolve(false)
    }
  })
}
