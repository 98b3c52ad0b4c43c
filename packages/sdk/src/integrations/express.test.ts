import type { AddressInfo } from 'node:net'
import express from 'express'
import { promptLedgerExpress } from './express.js'
import { type MiddlewareApp, middlewareCases, STREAM_PARTS } from './middleware.case.js'

const expressApp: MiddlewareApp = {
  async start(ledger, options, gate) {
    const app = express()
    app.use(promptLedgerExpress(ledger, options))
    app.use(express.json())
    app.post('/chat/:id', (req, res) => {
      res.json({ answer: `You asked: ${req.body.question}` })
    })
    app.get('/stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(STREAM_PARTS[0])
      gate().then(() => {
        res.write(STREAM_PARTS[1])
        res.end(STREAM_PARTS[2])
      })
    })
    app.get('/fail', (_req, res) => {
      res.status(500).json({ error: 'boom' })
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((r) => server.once('listening', () => r()))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections()
          server.close(() => r())
        }),
    }
  },
}

middlewareCases('express', expressApp)
