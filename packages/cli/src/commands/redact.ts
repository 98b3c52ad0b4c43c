import { once } from 'node:events'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createRedactor, type Redactor } from '@promptledger/sdk/redact'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'

interface RedactFlags {
  jsonl?: boolean
  term?: string[]
  allow?: string[]
}

/**
 * `promptledger redact`: stdin → stdout text redaction; with `--jsonl`, lines `{"id","text"}` in and
 * `{"id","redacted","findings":[{"type","start","end","score"}]}` out (offsets into the original text).
 *
 * @example
 * echo 'mail ana@example.com' | promptledger redact   # mail <EMAIL_ADDRESS>
 */
export function register(program: Command): void {
  program
    .command('redact')
    .description('Remove personal data and secrets from stdin and write the result to stdout')
    .option('--jsonl', 'read {"id","text"} lines and write {"id","redacted","findings"} lines')
    .option('--term <words...>', 'extra words or phrases to redact (case-insensitive, whole words)')
    .option('--allow <values...>', 'values never to redact')
    .action(async (flags: RedactFlags) => {
      const redactor = createRedactor({ terms: flags.term, allow: flags.allow })
      if (flags.jsonl) await redactJsonl(redactor, process.stdin, process.stdout, process.stderr.isTTY === true)
      else await redactText(redactor, process.stdin, process.stdout)
    })
}

/** Whole-text mode: streamed through the incremental redactor so memory stays bounded on large inputs. */
export async function redactText(redactor: Redactor, input: Readable, output: Writable): Promise<void> {
  const stream = redactor.createStream()
  input.setEncoding('utf8')
  for await (const chunk of input) {
    const out = stream.push(chunk as string)
    if (out.length > 0 && !output.write(out)) await new Promise((r) => output.once('drain', r))
  }
  output.write(stream.end())
}

/**
 * JSONL mode: every line is validated first; on a bad line nothing is written and the error names it (by number and
 * position only: the input may hold the very secrets being removed). Redacted lines go to a private spool file, copied
 * to the output once the whole input passed, so memory stays bounded however large the input.
 */
export async function redactJsonl(
  redactor: Redactor,
  input: Readable,
  output: Writable,
  progress: boolean,
): Promise<void> {
  const bar = progress
    ? new cliProgress.SingleBar({ format: 'redact {value} lines' }, cliProgress.Presets.shades_classic)
    : null
  bar?.start(0, 0)
  const dir = mkdtempSync(join(tmpdir(), 'promptledger-redact-'))
  const spoolPath = join(dir, 'out.jsonl')
  try {
    const spool = createWriteStream(spoolPath, { mode: 0o600 })
    let n = 0
    let wrote = 0
    try {
      for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        n++
        if (line.trim() === '') continue
        const { id, text } = parseLine(line, n)
        const { text: redacted, findings } = redactor.redact(text)
        const out = JSON.stringify({
          id,
          redacted,
          findings: findings.map((f) => ({ type: f.type, start: f.start, end: f.end, score: f.score })),
        })
        wrote++
        if (!spool.write(`${out}\n`)) await once(spool, 'drain')
        if (bar && n % 256 === 0) bar.update(n)
      }
    } finally {
      bar?.stop()
      spool.end()
      await once(spool, 'close')
    }
    if (wrote > 0) await pipeline(createReadStream(spoolPath), output, { end: false })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function parseLine(line: string, n: number): { id: unknown; text: string } {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (err) {
    // V8's message quotes the input around the fault; only where it lies is kept.
    const at = /position (\d+)/.exec((err as Error).message)?.[1]
    throw Object.assign(new Error(`line ${n}: not valid JSON${at ? ` (at column ${Number(at) + 1})` : ''}`), {
      exitCode: 2,
    })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error(`line ${n}: expected an object {"id", "text"}`), { exitCode: 2 })
  }
  const rec = value as { id?: unknown; text?: unknown }
  if (typeof rec.text !== 'string') {
    throw Object.assign(new Error(`line ${n}: field "text" must be a string`), { exitCode: 2 })
  }
  if (typeof rec.id !== 'string' && typeof rec.id !== 'number') {
    throw Object.assign(new Error(`line ${n}: field "id" must be a string or a number`), { exitCode: 2 })
  }
  return { id: rec.id, text: rec.text }
}
