import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number, total: number): void
  stop(): void
}

/**
 * A progress bar on stderr when it is a terminal (never on pipes, so output stays clean).
 * Updates are throttled by cli-progress itself; `update` is cheap to call per record.
 *
 * @example
 * const bar = progressBar('verify', 'records'); bar.update(10, 100); bar.stop()
 */
export function progressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} ${unit}`, stream, fps: 10, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done)
        started = true
      } else {
        bar.setTotal(total)
        bar.update(done)
      }
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
