import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

// The built bin (`npm run build` first), run as a user would.
export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/promptledger.js')

/**
 * Runs `promptledger <args>` and resolves once `bannerDone` says the line just printed ends its banner: the process,
 * the banner's lines, and how it exits. Rejects when it exits first.
 */
export async function spawnUntilBanner(
  args: string[],
  bannerDone: (line: string) => boolean,
  stderr: 'inherit' | 'pipe' = 'inherit',
): Promise<{ proc: ChildProcess; exited: Promise<number | null>; banner: string[] }> {
  const proc = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', stderr],
    env: { PATH: process.env['PATH'] ?? '' },
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve))
  const banner: string[] = []
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}) before its banner`)))
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      banner.push(line)
      if (bannerDone(line)) resolve()
    })
  })
  return { proc, exited, banner }
}
