import type { Command } from 'commander'
import { register as alerts } from './commands/alerts.js'
import { register as audit } from './commands/audit.js'
import { register as copyStore } from './commands/copy-store.js'
import { register as demo } from './commands/demo.js'
import { register as erase } from './commands/erase.js'
import { register as exportLedger } from './commands/export.js'
import { register as importLedger } from './commands/import.js'
import { register as keys } from './commands/keys.js'
import { register as proxy } from './commands/proxy.js'
import { register as query } from './commands/query.js'
import { register as redact } from './commands/redact.js'
import { register as retention } from './commands/retention.js'
import { register as serve } from './commands/serve.js'
import { register as stats } from './commands/stats.js'
import { register as tail } from './commands/tail.js'
import { register as verify } from './commands/verify.js'

/** Each command lives in its own file under `commands/` and registers itself on the program. */
export const commands: Array<(program: Command) => void> = [
  serve,
  proxy,
  query,
  stats,
  importLedger,
  redact,
  verify,
  tail,
  exportLedger,
  alerts,
  keys,
  erase,
  audit,
  retention,
  copyStore,
  demo,
]
