import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { DataKeyStore } from './data-key-store.js'
import { EnvKeyProvider } from './env-key-provider.js'

// The children run the built package: `npm test` builds before running the suite.
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-support', 'key-child.mjs')
const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs a child to its end; resolves with its printed keys (`subject keyId keyHex` lines). */
function child(masterKey: string, prefix: string, batches: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, dir, masterKey, prefix, String(batches)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    proc.on('exit', (code) =>
      code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`child exited ${code}`)),
    )
  })
}

describe('the key files shared by processes', () => {
  it('keeps every key that three processes commit at once, while a fourth erases shared subjects', {
    timeout: 60_000,
  }, async () => {
    const masterKey = randomBytes(32).toString('base64')
    const provider = new EnvKeyProvider({ masterKeyBase64: masterKey })
    const children = ['a', 'b', 'c'].map((prefix) => child(masterKey, prefix, 150))
    let done = false
    const finished = Promise.all(children).finally(() => {
      done = true
    })
    // Erasures while the children append: each folds the log into a new snapshot under the lock.
    const erasedIds = new Set<string>()
    const erasures: string[] = []
    for (let round = 0; !done; round++) {
      await new Promise((resolve) => setTimeout(resolve, 15))
      const subject = `user:shared-${(round * 3) % 10}`
      for (const id of DataKeyStore.open({ dir, provider }).destroy(subject)) erasedIds.add(id)
      erasures.push(subject)
    }
    const printed = (await finished).flat()
    expect(printed.length).toBeGreaterThan(3 * 150)
    expect(erasures.length).toBeGreaterThan(1)

    // Every key a child committed reads back, byte for byte, unless an erasure destroyed it.
    const reader = DataKeyStore.open({ dir, provider })
    let checked = 0
    for (const line of printed) {
      const [, keyId, hex] = line.split(' ')
      if (erasedIds.has(keyId!)) continue
      expect(reader.get(keyId!).export().toString('hex')).toBe(hex)
      checked++
    }
    expect(checked).toBeGreaterThan(3 * 150)
    // Each child's own subjects have exactly the key it printed.
    const own = printed.filter((l) => !l.startsWith('user:shared-'))
    expect(new Set(own.map((l) => l.split(' ')[0])).size).toBe(own.length)

    // Erased keys read as erased, and neither file keeps them (only their ids, as tombstones in the snapshot).
    for (const id of erasedIds) {
      expect(() => reader.get(id)).toThrowError(expect.objectContaining({ code: 'KEY_ERASED' }))
    }
    const snapshot = JSON.parse(readFileSync(path.join(dir, 'data-keys.json'), 'utf8'))
    const log = existsSync(path.join(dir, 'data-keys.log')) ? readFileSync(path.join(dir, 'data-keys.log'), 'utf8') : ''
    for (const id of erasedIds) {
      expect(snapshot.keys[id]).toBeUndefined()
      expect(log).not.toContain(id)
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([])
  })
})
