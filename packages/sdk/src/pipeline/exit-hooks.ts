import { writeSync } from 'node:fs'

/** What the exit hooks need from a ledger. */
export interface Flushable {
  flush(): Promise<void>
  hasPending(): boolean
  /** Writes what is not yet written where the next ledger on the stream seals it (synchronous; see rescue-file.ts). */
  rescue(): number
}

const ledgers = new Set<Flushable>()
let installed = false

function onBeforeExit(): void {
  // beforeExit fires again once the flush's I/O is done; with nothing pending the process then exits.
  for (const l of ledgers) if (l.hasPending()) void l.flush().catch(() => undefined)
}

/**
 * `process.exit()` or an uncaught exception ends the process without an event loop to write with. Nothing
 * asynchronous can run here: each ledger rescues what it holds synchronously (see rescue-file.ts). Only when that
 * fails (a full disk) is the loss said, on stderr.
 */
function onExit(): void {
  for (const l of ledgers) {
    if (!l.hasPending()) continue
    try {
      l.rescue()
    } catch (err) {
      try {
        writeSync(
          2,
          `promptledger: the process exited with logged calls not yet written, and rescuing them failed (${(err as Error).message}): they are lost; await ledger.flush() or ledger.close() before process.exit()\n`,
        )
      } catch {
        // stderr closed: nothing left to tell
      }
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const others = process.listenerCount(signal) - 1
  void Promise.allSettled([...ledgers].map((l) => l.flush())).then(() => {
    // Someone else handles this signal: they own the exit. Otherwise restore the default action.
    if (others > 0) return
    uninstall()
    process.kill(process.pid, signal)
  })
}

function install(): void {
  if (installed) return
  installed = true
  process.on('beforeExit', onBeforeExit)
  process.on('exit', onExit)
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

function uninstall(): void {
  if (!installed) return
  installed = false
  process.off('beforeExit', onBeforeExit)
  process.off('exit', onExit)
  process.off('SIGTERM', onSignal)
  process.off('SIGINT', onSignal)
}

/** Flushes the ledger on beforeExit, SIGTERM and SIGINT until `unregister` is called. */
export function registerExitFlush(ledger: Flushable): () => void {
  ledgers.add(ledger)
  install()
  return () => {
    ledgers.delete(ledger)
    if (ledgers.size === 0) uninstall()
  }
}
