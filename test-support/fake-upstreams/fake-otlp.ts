import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The parts of an OTLP/HTTP JSON trace export a test reads (the SDK's `otlp-json.ts` has the whole shape). */
export interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: unknown }> }
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpExportSpan[] }>
  }>
}
export interface OtlpExportSpan {
  traceId: string
  spanId: string
  name: string
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string; doubleValue?: number } }>
  [field: string]: unknown
}

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: OtlpExport
}
type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang'

/**
 * An OTLP/HTTP receiver on 127.0.0.1 that keeps what it is sent and answers as the test scripts it. `S` is the span
 * type the caller reads (the SDK's own tests use its full `OtlpSpan`).
 */
export class Receiver<S = OtlpExportSpan> {
  readonly server: Server
  readonly received: Received[] = []
  readonly answers: Answer[] = []
  url = ''
  constructor() {
    this.server = createServer((req, res) => {
      let text = ''
      req.setEncoding('utf8')
      req.on('data', (chunk) => {
        text += chunk
      })
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) })
        const answer = this.answers.shift() ?? { status: 200, body: '{}' }
        if (answer === 'hang') return
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.body ?? '{}')
      })
    })
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
  spans(): S[] {
    return this.received.flatMap((r) =>
      r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans as S[])),
    )
  }
}
