import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const file = (json: unknown) => ({ flags: { config: 'c.json' }, readFile: () => JSON.stringify(json) })

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig()
    expect(c).toMatchObject({ port: 7420, host: '127.0.0.1', data: './promptledger-data', redact: true })
    expect(c.stream).toMatch(/^collector-/)
  })

  it('lets env override the file and flags override env', () => {
    const c = loadConfig({
      ...file({ port: 1, host: 'h-file', data: 'd-file', stream: 's' }),
      env: { PROMPTLEDGER_PORT: '2', PROMPTLEDGER_HOST: 'h-env' },
    })
    expect(c).toMatchObject({ port: 2, host: 'h-env', data: 'd-file', stream: 's' })
    const f = loadConfig({ flags: { port: '3', data: 'd-flag' }, env: { PROMPTLEDGER_PORT: '2' } })
    expect(f).toMatchObject({ port: 3, data: 'd-flag' })
  })

  it('takes the store and its schema from the file, env and flags, and names a bad one without echoing it', () => {
    expect(loadConfig()).toMatchObject({ storage: 'sqlite', storageSchema: 'promptledger' })
    const env = { PROMPTLEDGER_STORAGE: 'postgres://app:pw@db/ledger', PROMPTLEDGER_STORAGE_SCHEMA: 'from_env' }
    expect(loadConfig({ env })).toMatchObject({ storage: env.PROMPTLEDGER_STORAGE, storageSchema: 'from_env' })
    const flags = { storage: 'clickhouse+http://ch:8123', storageSchema: 'from_flag' }
    expect(loadConfig({ flags, env })).toMatchObject(flags)
    expect(() => loadConfig({ flags: { storageSchema: 'Bad-Name' } })).toThrow(/invalid config at storageSchema/)
    const bad = (() => {
      try {
        loadConfig({ flags: { storage: 'mysql://app:hunter2pw@db/x' } })
      } catch (err) {
        return (err as Error).message
      }
    })()
    expect(bad).toMatch(/invalid config at storage/)
    expect(bad).not.toContain('hunter2pw')
  })

  it('takes the log level from the file, env and flags, logs nothing unless told, and names a bad level', () => {
    expect(loadConfig().logLevel).toBeUndefined()
    expect(loadConfig({ ...file({ logLevel: 'error' }), env: { PROMPTLEDGER_LOG_LEVEL: 'info' } }).logLevel).toBe(
      'info',
    )
    expect(loadConfig({ flags: { logLevel: 'debug' }, env: { PROMPTLEDGER_LOG_LEVEL: 'info' } }).logLevel).toBe('debug')
    expect(() => loadConfig({ flags: { logLevel: 'loud' } })).toThrow(/invalid config at logLevel/)
  })

  it('reads the config file path from PROMPTLEDGER_CONFIG', () => {
    const c = loadConfig({ env: { PROMPTLEDGER_CONFIG: 'x.json' }, readFile: () => '{"port": 9}' })
    expect(c.port).toBe(9)
  })

  it('validates the sections other areas own with their schemas', () => {
    expect(() => loadConfig(file({ alerts: 5 }))).toThrow(/alerts/)
  })

  it('names an unknown key, a bad value, and a bad file', () => {
    expect(() => loadConfig(file({ prot: 1 }))).toThrow(/prot/)
    expect(() => loadConfig({ flags: { port: '99999' } })).toThrow(/port/)
    expect(() => loadConfig({ flags: { config: 'c.json' }, readFile: () => '{oops' })).toThrow(/not valid JSON/)
    expect(() =>
      loadConfig({
        flags: { config: 'missing.json' },
        readFile: () => {
          throw new Error('ENOENT')
        },
      }),
    ).toThrow(/cannot read config file missing.json/)
  })
})
