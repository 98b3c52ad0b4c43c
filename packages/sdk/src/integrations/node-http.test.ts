import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type MiddlewareApp, middlewareCases, STREAM_PARTS } from './middleware.case.js'
import { observeHandler } from './node-http.js'

export const nodeApp: MiddlewareApp = {
  async start(ledger, options, gate) {
    const server = http.createServer(
      observeHandler(
        ledger,
        (req, res) => {
          const path = (req.url ?? '').split('?')[0]
          if (req.method === 'POST' && path?.startsWith('/chat/')) {
            let body = ''
            req.on('data', (c) => {
              body += c
            })
            req.on('end', () => {
              res.writeHead(200, { 'content-type': 'application/json' })
              res.end(JSON.stringify({ answer: `You asked: ${JSON.parse(body).question}` }))
            })
          } else if (path === '/stream') {
            res.writeHead(200, { 'content-type': 'text/event-stream' })
            res.write(STREAM_PARTS[0])
            gate().then(() => {
              res.write(STREAM_PARTS[1])
              res.end(STREAM_PARTS[2])
            })
          } else {
            res.writeHead(500, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ error: 'boom' }))
          }
        },
        {
          ...options,
          route: (req) => ((req.url ?? '').startsWith('/chat/') ? '/chat/:id' : (req.url ?? '/').split('?')[0]!),
        },
      ),
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
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

middlewareCases('node:http', nodeApp)
