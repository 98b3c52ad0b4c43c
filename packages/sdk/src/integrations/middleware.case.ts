import { afterEach, describe, expect, it } from 'vitest'
import type { LogInput } from '../record/log-input.js'
import type { HttpCaptureOptions } from './http-capture.js'
import type { LedgerLike } from './ledger-like.js'

/**
 * The shared middleware suite every framework runs against a real server on loopback. Each app serves the same
 * routes: `POST /chat/:id` (JSON `{ question }` → `{ answer }`), `GET /stream` (SSE: writes `one`, waits for the
 * test's gate, writes `two`, ends) and `GET /fail` (500).
 */
export interface MiddlewareApp {
  start(
    ledger: LedgerLike,
    options: HttpCaptureOptions,
    gate: () => Promise<void>,
  ): Promise<{ url: string; close(): Promise<void> }>
}

export const STREAM_PARTS = ['data: one\n\n', 'data: two\n\n', 'data: [DONE]\n\n']

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

export function middlewareCases(name: string, app: MiddlewareApp): void {
  describe(`${name} middleware`, () => {
    let server: { url: string; close(): Promise<void> } | undefined
    afterEach(async () => {
      await server?.close()
      server = undefined
    })

    async function start(options: HttpCaptureOptions = {}) {
      const gate = deferred()
      let onRecord!: (r: LogInput) => void
      const recorded = new Promise<LogInput>((resolve) => {
        onRecord = resolve
      })
      const ledger = { log: (input: LogInput) => onRecord(input) }
      server = await app.start(ledger, options, () => gate.promise)
      return { gate, recorded }
    }

    it('records prompt, response, route, status and latency with extractors', async () => {
      const { recorded } = await start({
        prompt: (b) => (b as { question: string }).question,
        response: (b) => (b as { answer: string }).answer,
        app: 'web',
      })
      const res = await fetch(`${server!.url}/chat/42?user=x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'Why is the sky blue?' }),
      })
      expect(await res.json()).toEqual({ answer: 'You asked: Why is the sky blue?' })
      const r = await recorded
      expect(r).toMatchObject({
        prompt: 'Why is the sky blue?',
        response: 'You asked: Why is the sky blue?',
        status: 'ok',
        app: 'web',
      })
      expect(r.metadata?.['http']).toMatchObject({ method: 'POST', route: '/chat/:id', status: 200 })
      expect(r.latencyMs).toBeGreaterThanOrEqual(0)
    })

    it('passes a streamed response through chunk by chunk and records all of it', async () => {
      const { gate, recorded } = await start()
      const res = await fetch(`${server!.url}/stream`)
      const reader = res.body!.getReader()
      const decoder = new TextDecoder()
      // The server holds its second chunk until the first reached this client: a buffering middleware would hang here.
      let text = ''
      while (!text.includes('one')) text += decoder.decode((await reader.read()).value, { stream: true })
      expect(text).toBe(STREAM_PARTS[0])
      gate.resolve()
      for (let r = await reader.read(); !r.done; r = await reader.read())
        text += decoder.decode(r.value, { stream: true })
      expect(text).toBe(STREAM_PARTS.join(''))
      const record = await recorded
      expect(record.response).toBe(STREAM_PARTS.join(''))
      expect(record.status).toBe('ok')
      expect(record.ttftMs).toBeGreaterThanOrEqual(0)
      expect(record.metadata?.['http']).toMatchObject({ route: '/stream', status: 200 })
    })

    it('records an error status', async () => {
      const { recorded } = await start()
      const res = await fetch(`${server!.url}/fail`)
      expect(res.status).toBe(500)
      await res.text()
      expect(await recorded).toMatchObject({
        status: 'error',
        error: { type: 'http_error', httpStatus: 500 },
        response: { error: 'boom' },
      })
    })

    it('caps the captured body and says so', async () => {
      const { recorded } = await start({ maxBodyBytes: 8 })
      const res = await fetch(`${server!.url}/fail`)
      await res.text()
      const r = await recorded
      expect(r.response).toBe('{"error"')
      expect(r.metadata?.['http']).toMatchObject({ truncated: true, response_bytes: 16 })
    })

    it('records a client that goes away mid-stream as aborted', async () => {
      const { recorded, gate } = await start()
      const controller = new AbortController()
      const res = await fetch(`${server!.url}/stream`, { signal: controller.signal })
      const reader = res.body!.getReader()
      await reader.read()
      controller.abort()
      await reader.read().catch(() => undefined)
      // The server still holds its second chunk: the record can only come from noticing the client left.
      const r = await recorded
      gate.resolve()
      expect(r).toMatchObject({ status: 'error', error: { type: 'aborted' } })
      expect(String(r.response)).toContain('one')
    })
  })
}
