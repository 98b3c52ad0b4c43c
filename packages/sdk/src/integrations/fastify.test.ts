import { PassThrough } from 'node:stream'
import Fastify from 'fastify'
import { promptLedgerFastify } from './fastify.js'
import { type MiddlewareApp, middlewareCases, STREAM_PARTS } from './middleware.case.js'

const fastifyApp: MiddlewareApp = {
  async start(ledger, options, gate) {
    const app = Fastify({ forceCloseConnections: true })
    await app.register(promptLedgerFastify(ledger, options))
    app.post('/chat/:id', async (req) => ({ answer: `You asked: ${(req.body as { question: string }).question}` }))
    app.get('/stream', (_req, reply) => {
      const body = new PassThrough()
      body.write(STREAM_PARTS[0])
      gate().then(() => {
        body.write(STREAM_PARTS[1])
        body.end(STREAM_PARTS[2])
      })
      reply.type('text/event-stream').send(body)
    })
    app.get('/fail', async (_req, reply) => reply.code(500).send({ error: 'boom' }))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url, close: () => app.close() }
  },
}

middlewareCases('fastify', fastifyApp)
