import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { promptLedgerHono } from './hono.js'
import { type MiddlewareApp, middlewareCases, STREAM_PARTS } from './middleware.case.js'

const honoApp: MiddlewareApp = {
  async start(ledger, options, gate) {
    const app = new Hono()
    app.use('*', promptLedgerHono(ledger, options))
    app.post('/chat/:id', async (c) => c.json({ answer: `You asked: ${(await c.req.json()).question}` }))
    app.get('/stream', () => {
      const enc = new TextEncoder()
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(enc.encode(STREAM_PARTS[0]))
          await gate()
          try {
            controller.enqueue(enc.encode(STREAM_PARTS[1]))
            controller.enqueue(enc.encode(STREAM_PARTS[2]))
            controller.close()
          } catch {
            // the client left and the stream was cancelled
          }
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    })
    app.get('/fail', (c) => c.json({ error: 'boom' }, 500))
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((r) => {
          ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
          server.close(() => r())
        }),
    }
  },
}

middlewareCases('hono', honoApp)
