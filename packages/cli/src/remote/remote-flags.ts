import { type Command, Option } from 'commander'
import type { RemoteFilter, RemoteOptions } from './remote-client.js'

export const DEFAULT_SERVER = 'http://127.0.0.1:7420'

export interface FilterFlags {
  from?: string
  to?: string
  model?: string
  provider?: string
  user?: string
  session?: string
  status?: string
  tag?: string
  app?: string
  search?: string
}

/** `--server` and `--api-key` (also read from PROMPTLEDGER_API_KEY, so keys stay out of shell history). */
export function addServerOptions(command: Command, required = false): Command {
  const server = new Option('--server <url>', 'collector URL')
  if (!required) server.default(DEFAULT_SERVER)
  return command
    .addOption(required ? server.makeOptionMandatory() : server)
    .addOption(new Option('--api-key <key>', 'API key for the collector').env('PROMPTLEDGER_API_KEY'))
}

/** The record filters every read command shares. */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--from <time>', 'records at or after this ISO-8601 time')
    .option('--to <time>', 'records before this ISO-8601 time')
    .option('--model <name>', 'only this model')
    .option('--provider <name>', 'only this provider (openai, anthropic, …)')
    .option('--user <id>', 'only this user_id')
    .option('--session <id>', 'only this session_id')
    .addOption(new Option('--status <status>', 'only ok or error records').choices(['ok', 'error']))
    .option('--tag <tag>', 'only records with this tag')
    .option('--app <name>', 'only this app')
    .option('-q, --search <words>', 'full-text search over redacted content')
}

export function remoteFrom(flags: { server?: string; apiKey?: string }): RemoteOptions {
  return { server: flags.server ?? DEFAULT_SERVER, ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) }
}

export function filterFrom(flags: FilterFlags): RemoteFilter {
  const filter: RemoteFilter = {}
  const set = (key: keyof RemoteFilter, value: string | undefined) => {
    if (value !== undefined) filter[key] = value
  }
  set('from', flags.from)
  set('to', flags.to)
  set('model', flags.model)
  set('provider', flags.provider)
  set('user_id', flags.user)
  set('session_id', flags.session)
  set('status', flags.status)
  set('tag', flags.tag)
  set('app', flags.app)
  set('q', flags.search)
  return filter
}
