import { openSqliteStorage } from '../../packages/server/src/storage/sqlite/sqlite-storage.js'
const s = openSqliteStorage({ path: '/tmp/pl-stats-bench-1000000.db' })
for (let i = 0; i < 6; i++) { const c0 = process.cpuUsage(); const t0 = performance.now(); await s.stats({}, 'model'); const c = process.cpuUsage(c0); console.log((performance.now() - t0).toFixed(1), 'ms wall', ((c.user + c.system) / 1000).toFixed(1), 'ms cpu') }
await s.close()
