import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { createLedger, type Ledger } from '../../../ledger.js'
import type { LedgerOptions } from '../../../ledger-options.js'

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
}

/** For a test file: a function that makes a fresh temp dir, each removed after the test that made it. */
export function tempDirsPerTest(): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = tempDir()
    dirs.push(d)
    return d
  }
}

/** Opens a ledger on `dir` with stream `s`, logs `n` records of about 1 KB, flushes and closes it. */
export async function writeRecords(dir: string, n: number, options: LedgerOptions = {}): Promise<string[]> {
  const ledger: Ledger = createLedger({ dir, stream: 's', handleExit: false, redact: false, ...options })
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    ids.push(
      ledger.log({
        prompt: `question ${i} ${'x'.repeat(400)}`,
        response: `answer ${i}`,
        userId: `u${i % 3}`,
      }) as string,
    )
  }
  await ledger.close()
  return ids
}

export function streamFiles(dir: string, ext: string): string[] {
  return fs
    .readdirSync(path.join(dir, 's'))
    .filter((f) => f.endsWith(ext))
    .sort()
}
