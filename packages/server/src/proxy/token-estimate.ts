import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

type EncodingName = 'o200k_base' | 'cl100k_base'

/**
 * The tokenizer runs in a worker thread. Its rank tables are hundreds of thousands of strings that live as long as the
 * process; on the serving thread every garbage collection had to walk them, which more than halved what the bare
 * proxy served at c=1 (6 s of autocannon: 2,768 calls and 1.9 s of GC with the tables on the serving thread, 6,306
 * calls and 0.4 s of GC with them here). Building them (a second or more of CPU) no longer blocks the event loop either.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { Tiktoken } = require(workerData.lite)
const built = new Map()
function encoding(name) {
  let enc = built.get(name)
  if (!enc) {
    const ranks = require(workerData.ranks[name])
    enc = new Tiktoken(ranks.default ?? ranks)
    built.set(name, enc)
  }
  return enc
}
parentPort.on('message', (m) => {
  try {
    if (m.load) {
      for (const name of Object.keys(workerData.ranks)) encoding(name)
      parentPort.postMessage({ id: m.id, n: 0 })
      return
    }
    const enc = encoding(m.encoding)
    let n = 0
    for (const t of m.texts) n += enc.encode(t).length + m.overhead
    parentPort.postMessage({ id: m.id, n })
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) })
  }
})
`

interface Reply {
  id: number
  n: number
  error?: string
}

let worker: Worker | null = null
let nextId = 0
const waiting = new Map<number, { resolve: (n: number) => void; reject: (err: Error) => void }>()

/** A worker that failed or exited takes its pending counts with it; the next count starts a fresh one. */
function failAll(dead: Worker, err: Error): void {
  if (worker !== dead) return
  worker = null
  for (const w of waiting.values()) w.reject(err)
  waiting.clear()
}

function ask(message: Record<string, unknown>): Promise<number> {
  if (!worker) {
    const require = createRequire(import.meta.url)
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        lite: require.resolve('js-tiktoken/lite'),
        ranks: {
          o200k_base: require.resolve('js-tiktoken/ranks/o200k_base'),
          cl100k_base: require.resolve('js-tiktoken/ranks/cl100k_base'),
        },
      },
    })
    worker = w
    w.on('message', (r: Reply) => {
      const pending = waiting.get(r.id)
      if (!pending) return
      waiting.delete(r.id)
      if (r.error !== undefined) pending.reject(new Error(`tokenizer: ${r.error}`))
      else pending.resolve(r.n)
      if (waiting.size === 0) w.unref()
    })
    w.on('error', (err) => failAll(w, err))
    w.on('exit', (code) => failAll(w, new Error(`tokenizer worker exited with code ${code}`)))
  }
  const id = nextId++
  // Referenced only while a count is pending, so an idle worker never keeps the process alive.
  const w = worker
  w.ref()
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject })
    w.postMessage({ id, ...message })
  })
}

/**
 * Loads both encodings now, in the tokenizer's worker thread, so the first stream without usage does not wait for
 * the rank tables to be built.
 */
export async function loadTokenizers(): Promise<void> {
  await ask({ load: true })
}

/** o200k_base for the gpt-4o, gpt-4.1+, gpt-5 and o-series families; cl100k_base for everything older or unknown. */
export function encodingFor(model: string | null): EncodingName {
  const m = (model ?? '').toLowerCase()
  return /^(gpt-4o|gpt-4\.[1-9]|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(m) ? 'o200k_base' : 'cl100k_base'
}

/**
 * Counts tokens when the provider did not report them (a stream without `include_usage`, a stream cut midway).
 * OpenAI counts are exact for the text plus the documented per-message overhead (3 tokens a message, 3 to prime the
 * reply). Anthropic publishes no tokenizer: cl100k_base is used as an approximation (typically within ±15%), and
 * every estimate is flagged `usage.estimated = true` either way.
 */
export async function countTokens(model: string | null, texts: string[], perItemOverhead = 0): Promise<number> {
  // Texts are copied to the worker (structured clone): cheap next to encoding them, and off the response path.
  return ask({ encoding: encodingFor(model), texts, overhead: perItemOverhead })
}
