import { writeSync } from 'node:fs'

/** What the exit hooks need from a ledger. */
export interface Flushable {
  flush(): Promise<void>
  hasPending(): boolean
}

const ledgers = new Set<Flushable>()
let installed = false

function onBeforeExit(): void {
  // beforeExit fires again once the flush's I/O is done; with nothing pending the process then exits.
  for (const l of ledgers) if (l.hasPending()) void l.flush().catch(() => undefined)
}

/**
 * `process.exit()` or a crash ends the process without an event loop to write with: what is still queued is lost.
 * Nothing asynchronous can run here, so the loss is at least said, on stderr, synchronously.
 */
function onExit(): void {
  if (![...ledgers].some((l) => l.hasPending())) return
  try {
    writeSync(
      2,
      'promptledger: the process exited with logged calls not yet written (lost); ' +
        'await ledger.flush() or ledger.close() before process.exit()\n',
    )
  } catch {
    // stderr closed: nothing left to tell
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
