import { setImmediate as tick } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { Slots } from './slots.js'

/** A task that records when it runs and finishes when `release()` is called. */
function gated(log: string[], name: string) {
  let release!: () => void
  let fail!: (err: Error) => void
  const done = new Promise<string>((resolve, reject) => {
    release = () => resolve(name)
    fail = reject
  })
  const task = () => {
    log.push(`start ${name}`)
    return done
  }
  return { task, release, fail }
}

describe('Slots', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const slots = new Slots(2)
    const log: string[] = []
    const tasks = ['a', 'b', 'c', 'd'].map((n) => gated(log, n))
    const results = tasks.map((t) => slots.run(t.task))
    await tick()
    expect(log).toEqual(['start a', 'start b'])
    tasks[1]!.release()
    await tick()
    expect(log).toEqual(['start a', 'start b', 'start c'])
    tasks[0]!.release()
    await tick()
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d'])
    tasks[2]!.release()
    tasks[3]!.release()
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('frees the slot of a task that fails, and passes the failure on', async () => {
    const slots = new Slots(1)
    const log: string[] = []
    const first = gated(log, 'first')
    const second = gated(log, 'second')
    const failed = slots.run(first.task)
    const next = slots.run(second.task)
    await tick()
    expect(log).toEqual(['start first'])
    first.fail(new Error('disk full'))
    await expect(failed).rejects.toThrow('disk full')
    await tick()
    expect(log).toEqual(['start first', 'start second'])
    second.release()
    expect(await next).toBe('second')
  })

  it('starts waiting tasks at once when the limit is raised', async () => {
    const slots = new Slots(1)
    const log: string[] = []
    const tasks = ['a', 'b', 'c', 'd'].map((n) => gated(log, n))
    const results = tasks.map((t) => slots.run(t.task))
    await tick()
    expect(log).toEqual(['start a'])
    slots.raise(3)
    await tick()
    expect(log).toEqual(['start a', 'start b', 'start c'])
    // Never lowered: a smaller limit changes nothing.
    slots.raise(1)
    tasks[0]!.release()
    await tick()
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d'])
    for (const t of tasks.slice(1)) t.release()
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('refuses a limit below one', () => {
    expect(() => new Slots(0)).toThrow(RangeError)
  })
})
