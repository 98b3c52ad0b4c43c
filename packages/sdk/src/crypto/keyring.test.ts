import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { Keyring } from './keyring.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-'))
  dirs.push(d)
  return path.join(d, 'data')
}

describe('Keyring', () => {
  it('creates a 0600 file in a 0700 dir on first use and keeps entries', () => {
    const dir = tmp()
    const k = new Keyring(dir)
    expect(k.getOrCreate('a', () => 'one')).toBe('one')
    expect(k.getOrCreate('a', () => 'two')).toBe('one')
    k.set('b', 'x')
    expect(new Keyring(dir).get('b')).toBe('x')
    expect(new Keyring(dir).delete('b')).toBe(true)
    expect(new Keyring(dir).get('b')).toBeUndefined()
    expect(fs.statSync(path.join(dir, 'keyring.json')).mode & 0o777).toBe(0o600)
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    expect(fs.existsSync(path.join(dir, 'keyring.json.lock'))).toBe(false)
  })

  it('never leaks the file content in errors', () => {
    const dir = tmp()
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'keyring.json'), 'secret-material-123')
    expect(() => new Keyring(dir).get('a')).toThrow(/not a valid keyring/)
    try {
      new Keyring(dir).get('a')
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('secret-material-123')
    }
  })

  it('processes starting together agree on one generated key', async () => {
    const dir = tmp()
    const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'keyring.ts')
    const script = `import { Keyring } from ${JSON.stringify(src)}; process.stdout.write(new Keyring(${JSON.stringify(dir)}).getOrCreate('k', () => String(process.pid)))`
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        let out = ''
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString()
        })
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))))
      })
    const values = await Promise.all([run(), run(), run()])
    expect(new Set(values).size).toBe(1)
  })
})
