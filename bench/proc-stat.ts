import { readdirSync, readFileSync } from 'node:fs'

/** CPU time of a process or thread, from /proc: user and system seconds (10 ms ticks), and its nice value. */
export interface ProcStat {
  user: number
  system: number
  nice: number
}

/** Linux: the CPU time and nice value of process `pid`, or of its thread `tid`; null elsewhere or once it has ended. */
export function procStat(pid: number, tid?: number): ProcStat | null {
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`
    const stat = readFileSync(file, 'utf8')
    // Fields after the parenthesised command name: utime is field 14, stime 15, nice 19 (USER_HZ = 100).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { user: Number(f[11]) / 100, system: Number(f[12]) / 100, nice: Number(f[16]) }
  } catch {
    return null
  }
}

/** Linux: the ids of process `pid`'s threads; empty elsewhere. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number)
  } catch {
    return []
  }
}
