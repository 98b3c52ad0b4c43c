import { PassThrough, Readable } from 'node:stream'
import { createRedactor } from '@promptledger/sdk/redact'
import { describe, expect, it } from 'vitest'
import { redactJsonl, redactText } from './redact.js'

async function collect(run: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough()
  const chunks: string[] = []
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  await run(out)
  out.end()
  return chunks.join('')
}

describe('promptledger redact', () => {
  const redactor = createRedactor()

  it('--jsonl writes id, redacted text and findings with offsets into the original', async () => {
    const input = Readable.from(['{"id":"a","text":"mail ana@example.com"}\n{"id":7,"text":"nothing here"}\n'])
    const text = await collect((out) => redactJsonl(redactor, input, out, false))
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toEqual([
      { id: 'a', redacted: 'mail <EMAIL_ADDRESS>', findings: [{ type: 'EMAIL_ADDRESS', start: 5, end: 20, score: 1 }] },
      { id: 7, redacted: 'nothing here', findings: [] },
    ])
  })

  it('--jsonl names the bad line and field, and writes nothing', async () => {
    const input = Readable.from(['{"id":"a","text":"ok"}\n{"id":"b","text":42}\n'])
    const out = new PassThrough()
    let written = ''
    out.on('data', (c: Buffer) => {
      written += c.toString('utf8')
    })
    await expect(redactJsonl(redactor, input, out, false)).rejects.toThrow('line 2: field "text" must be a string')
    expect(written).toBe('')
  })

  it('--jsonl never quotes the input in its errors, and names a line that is no object', async () => {
    const secret = 'sk-proj-Abcdef0123456789abcdef'
    const broken = redactJsonl(redactor, Readable.from([`{"id":"a","text":"${secret}\n`]), new PassThrough(), false)
    const err = (await broken.catch((e: Error) => e)) as Error
    expect(err.message).toMatch(/^line 1: not valid JSON/)
    expect(err.message).not.toContain('sk-proj')
    for (const line of ['[1,2]', 'null', '"text"']) {
      await expect(redactJsonl(redactor, Readable.from([`${line}\n`]), new PassThrough(), false)).rejects.toThrow(
        'line 1: expected an object {"id", "text"}',
      )
    }
  })

  it('plain mode streams stdin to stdout, entities split across chunks included', async () => {
    const input = Readable.from(['call (415) 555', '-0132 or mail ana@exa', 'mple.com\n'])
    const text = await collect((out) => redactText(redactor, input, out))
    expect(text).toBe('call <PHONE_NUMBER> or mail <EMAIL_ADDRESS>\n')
  })
})
