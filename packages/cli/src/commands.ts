import type { Command } from 'commander'
import { register as redact } from './commands/redact.js'
import { register as serve } from './commands/serve.js'
import { register as query } from './commands/query.js'
import { register as stats } from './commands/stats.js'
import { register as importLedger } from './commands/import.js'

/** Each command lives in its own file under `commands/` and registers itself on the program. */
export const commands: Array<(program: Command) => void> = [serve, query, stats, importLedger, redact]
