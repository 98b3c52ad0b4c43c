import type { LedgerRecord } from '@promptledger/sdk'

/**
 * Writes to a stream and waits when it is full, so exporting a large ledger does not buffer it all. Rejects with an
 * `EPIPE` error once the reader has gone (the stream failed or was destroyed): the command stops there.
 */
export async function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if ((stream as { destroyed?: boolean }).destroyed) throw readerGone()
  if (stream.write(text)) return
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError)
      stream.off('close', onClose)
      resolve()
    }
    const onError = (): void => {
      stream.off('drain', onDrain)
      stream.off('close', onClose)
      reject(readerGone())
    }
    const onClose = onError
    stream.once('drain', onDrain)
    stream.once('error', onError)
    stream.once('close', onClose)
  })
}

function readerGone(): Error {
  return Object.assign(new Error('the output was closed by its reader'), { code: 'EPIPE', exitCode: 0 })
}

function preview(value: unknown, max: number): string {
  let text: string
  if (typeof value === 'string') text = value
  else if (value === undefined || value === null) text = ''
  else text = JSON.stringify(value)
  text = text.replace(/\s+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function promptOf(r: LedgerRecord): unknown {
  const messages = r.request.messages
  if (messages && messages.length > 0) return messages[messages.length - 1]!.content
  return r.request.input
}

/**
 * One readable line per record: time, stream#seq, status, model, user, latency, prompt → response.
 *
 * @example
 * 2026-11-27T16:04:13.120Z app#41 ok gpt-4o user_123 812ms  "What is…" → "It is…"
 */
export function formatRecordLine(r: LedgerRecord): string {
  const latency = r.latency_ms !== null ? `${Math.round(r.latency_ms)}ms` : '-'
  const status = r.status === 'error' ? `error(${r.error?.type ?? '?'})` : 'ok'
  const parts = [r.ts, `${r.stream}#${r.seq}`, status, r.request.model ?? '-', r.user_id ?? '-', latency]
  // A record whose user was erased keeps its metadata; its content is gone, and the line says so.
  const read = r as { erased?: boolean; unreadable?: string }
  if (read.erased) return `${parts.join(' ')}  [erased]`
  if (read.unreadable) return `${parts.join(' ')}  [unreadable: ${read.unreadable}]`
  return `${parts.join(' ')}  ${preview(promptOf(r), 60)} → ${preview(r.response?.output ?? r.error?.message, 60)}`
}
