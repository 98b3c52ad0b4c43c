import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LogInput } from '@promptledger/sdk'
import {
  type FakeUpstream,
  startFakeAnthropic,
  startFakeOpenAI,
} from '../../../../../test-support/fake-upstreams/index.js'
import { createProxy, type ProxyHandler, type ProxyOptions } from '../create-proxy.js'

export interface ProxyHarness {
  /** The proxy server's origin. */
  url: string
  openai: FakeUpstream
  anthropic: FakeUpstream
  proxy: ProxyHandler
  records: LogInput[]
  /** Resolves with the i-th record (0-based) once the proxy has handed it over. */
  record(i: number): Promise<LogInput>
  close(): Promise<void>
}

/**
 * The two serving paths every proxy case runs on: the socket forwarder (`attach`, what the collector runs) and the
 * node:http request handler (what Fastify's routes and connections handed off by the forwarder use).
 */
export const PROXY_PATHS = ['socket', 'node:http'] as const
export type ProxyPath = (typeof PROXY_PATHS)[number]

/** Fake upstreams + the proxy mounted on a bare node:http server, collecting every record. */
export async function startProxyHarness(
  extra: Partial<ProxyOptions> = {},
  via: ProxyPath = 'socket',
): Promise<ProxyHarness> {
  const openai = await startFakeOpenAI()
  const anthropic = await startFakeAnthropic()
  const records: LogInput[] = []
  const waiters: Array<{ i: number; resolve: (r: LogInput) => void }> = []
  const proxy = createProxy({
    upstreams: { openai: openai.url, anthropic: anthropic.url },
    ...extra,
    onRecord(input) {
      records.push(input)
      for (const w of waiters.filter((w) => w.i < records.length)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(records[w.i]!)
      }
    },
  })
  await proxy.ready
  const server: Server = createServer(proxy)
  if (via === 'socket') proxy.attach(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    openai,
    anthropic,
    proxy,
    records,
    record: (i) => (records[i] ? Promise.resolve(records[i]) : new Promise((resolve) => waiters.push({ i, resolve }))),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await proxy.close()
      await openai.close()
      await anthropic.close()
    },
  }
}
