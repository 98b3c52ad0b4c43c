/**
 * Linux: lowers the calling thread's scheduling priority to `nice`, so that on a busy machine the thread serving
 * calls runs first and background work (record building, sealing and appending, full-text indexing) fills the gaps.
 * Best effort: where thread ids are not exposed or the priority cannot be changed, the thread keeps the process's
 * priority. Takes its modules as arguments so that a worker started from source text (`eval: true`) can run it from
 * `lowerThreadPriority.toString()` with `require`.
 *
 * Why it matters even with a core free: posting a message wakes the receiving thread, and a woken thread at the same
 * priority preempts the poster when every core is busy. Timed on the collector (8-record ingest calls, two cores
 * under load): handing a batch to the writer thread held the serving thread p50 1.09–1.18 ms at nice 0 and
 * 0.18–0.22 ms with the writer and search threads at nice 10.
 *
 * @example
 * lowerThreadPriority(await import('node:os'), await import('node:fs'), 10)
 */
export function lowerThreadPriority(
  os: { setPriority(pid: number, priority: number): void },
  fs: { readlinkSync(path: string): string },
  nice: number,
): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, nice)
  } catch {
    // Not Linux, or not permitted: nothing to undo, the thread runs at the usual priority.
  }
}

/** The nice value of the collector's background threads. */
export const BACKGROUND_NICE = 10
