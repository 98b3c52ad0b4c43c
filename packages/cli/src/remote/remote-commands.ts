import type { LedgerRecord } from '@promptledger/sdk'
import { fetchRecords, fetchVerify, type RemoteFilter, type RemoteOptions, streamRecords } from './remote-client.js'

export interface RemoteTailOptions {
  /** Records to print before following. */
  lines: number
  follow: boolean
  format(record: LedgerRecord): string
}

/**
 * `tail --server`: the last `lines` records (oldest first), then each new record the collector stores.
 * The live stream is opened before the history is read so nothing stored in between is missed; records
 * seen in both are printed once.
 */
export async function tailRemote(
  remote: RemoteOptions,
  filter: RemoteFilter,
  options: RemoteTailOptions,
  write: (line: string) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const printed = new Set<string>()
  const pending: LedgerRecord[] = []
  let live = false
  const print = async (record: LedgerRecord) => {
    if (printed.has(record.id)) return
    printed.add(record.id)
    await write(`${options.format(record)}\n`)
  }
  let opened: () => void = () => {}
  const open = new Promise<void>((resolve) => {
    opened = resolve
  })
  const following = options.follow
    ? streamRecords(
        remote,
        filter,
        (record) => {
          if (live) void print(record)
          else pending.push(record)
        },
        signal,
        opened,
      )
    : null
  if (following) await Promise.race([open, following])
  if (options.lines > 0) {
    const page = await fetchRecords(remote, filter, { limit: options.lines })
    for (const record of page.records.reverse()) await print(record)
  }
  for (const record of pending.splice(0)) await print(record)
  live = true
  await following
}

/** `verify --server`: the collector verifies its stored chains; returns the exit status (0 intact, 1 not). */
export async function verifyRemote(
  remote: RemoteOptions,
  options: { json?: boolean; stream?: string },
  write: (text: string) => void,
): Promise<number> {
  const result = await fetchVerify(remote, options.stream)
  if (options.json) {
    write(`${JSON.stringify(result, null, 2)}\n`)
  } else if (result.ok) {
    const records = result.streams.reduce((n, s) => n + s.count, 0)
    write(`intact: ${records} records in ${result.streams.length} stream(s) on ${remote.server}\n`)
    for (const s of result.streams) write(`  ${s.stream}: ${s.count} records, head seq ${s.head_seq}\n`)
  } else {
    for (const s of result.streams.filter((x) => !x.ok)) {
      const p = s.problems[0]
      const what = p ? `${p.code} at seq ${p.seq} (id ${p.id}): ${p.message}` : s.truncated ? 'truncated' : 'unknown'
      write(`NOT INTACT: stream ${s.stream}: ${what}\n`)
    }
  }
  return result.ok ? 0 : 1
}
