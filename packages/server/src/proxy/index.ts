export type { ProxyHandler, ProxyOptions, ProxyStats } from './create-proxy.js'
export { createProxy, DEFAULT_UPSTREAMS } from './create-proxy.js'
