export type { CollectorProxy, CollectorProxyOptions, IngestSink, ProxyConfig } from './collector-proxy.js'
export { createCollectorProxy, proxyConfigSchema } from './collector-proxy.js'
export type { ProxyHandler, ProxyOptions, ProxyStats } from './create-proxy.js'
export { createProxy, DEFAULT_UPSTREAMS } from './create-proxy.js'
