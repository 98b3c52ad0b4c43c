// One record in full. Every piece of content is rendered as text (textBlock/textContent): prompts and model
// output are untrusted and may contain markup or script.
import { api } from '../api/client.js'
import type { RecordView } from '../api/types.js'
import { type Child, defList, h, replaceChildren, textBlock } from '../dom.js'
import { contentToText, formatCost, formatInt, formatMs, formatTime } from '../format.js'
import { counts, json, messages, section, signals, toolCalls } from './record-sections.js'
import { showError, type ViewContext, viewHeading } from './view.js'

function render(r: RecordView): Child[] {
  const status = r.status === 'error' ? 'error' : 'ok'
  return [
    h('p', {}, h('a', { href: '#/records' }, '← All records')),
    defList([
      ['Id', h('span', { class: 'mono' }, r.id)],
      ['Time (UTC)', formatTime(r.ts)],
      ['Ended', r.end_ts ? formatTime(r.end_ts) : null],
      ['Status', h('span', { class: `badge badge-${status}` }, status)],
      [
        'Error',
        r.error
          ? `${r.error.type ?? 'error'}${r.error.http_status ? ` (HTTP ${r.error.http_status})` : ''}: ${r.error.message ?? ''}`
          : null,
      ],
      ['Latency', formatMs(r.latency_ms)],
      ['Time to first token', r.ttft_ms != null ? formatMs(r.ttft_ms) : null],
      ['Provider', r.provider ?? null],
      ['Operation', r.operation ?? null],
      ['Model (request)', r.request?.model ?? null],
      ['Model (response)', r.response?.model ?? null],
      ['Cost', formatCost(r.cost_usd)],
      ['User', r.user_id ?? null],
      ['Session', r.session_id ?? null],
      ['App', r.app ?? null],
      ['Environment', r.environment ?? null],
      ['Tags', r.tags?.length ? r.tags.join(', ') : null],
      ['Trace / span', r.trace_id ? `${r.trace_id} / ${r.span_id ?? '—'}` : null],
      ['Prompt hash', r.prompt_hash ? h('span', { class: 'mono' }, r.prompt_hash) : null],
    ]),
    encryptionNotice(r),
    r.redacted === false ? h('p', { class: 'notice warn' }, 'Redaction was turned off for this record.') : null,
    section(
      'Request',
      messages(r),
      r.request?.params && Object.keys(r.request.params).length
        ? [h('h3', {}, 'Parameters'), textBlock(json(r.request.params), 'Request parameters')]
        : null,
    ),
    section(
      'Response',
      r.response?.output !== undefined
        ? textBlock(contentToText(r.response.output), 'Response output')
        : h('p', { class: 'muted' }, 'No response output.'),
      r.response?.finish_reasons?.length ? h('p', {}, `Finish reasons: ${r.response.finish_reasons.join(', ')}`) : null,
      toolCalls(r),
    ),
    section(
      'Usage',
      r.usage
        ? defList([
            ['Input tokens', formatInt(r.usage.input_tokens)],
            ['Output tokens', formatInt(r.usage.output_tokens)],
            ['Cache read tokens', r.usage.cache_read_tokens != null ? formatInt(r.usage.cache_read_tokens) : null],
            ['Cache write tokens', r.usage.cache_write_tokens != null ? formatInt(r.usage.cache_write_tokens) : null],
            ['Reasoning tokens', r.usage.reasoning_tokens != null ? formatInt(r.usage.reasoning_tokens) : null],
            ['Counted by', r.usage.estimated ? 'tokenizer estimate' : 'provider'],
          ])
        : h('p', { class: 'muted' }, 'No usage reported.'),
    ),
    section('Redactions', counts('Redactions per type', r.redactions, 'Nothing was redacted.')),
    section('Signals', signals(r)),
    section(
      'Chain',
      defList([
        ['Stream', r.stream ?? '—'],
        ['Seq', r.seq != null ? String(r.seq) : '—'],
        ['Hash', h('span', { class: 'mono hash' }, r.hash ?? '—')],
        ['Previous hash', h('span', { class: 'mono hash' }, r.prev_hash ?? '—')],
      ]),
    ),
    r.metadata && Object.keys(r.metadata).length ? section('Metadata', textBlock(json(r.metadata), 'Metadata')) : null,
    h('details', {}, h('summary', {}, 'Raw record (JSON)'), textBlock(json(r), 'Raw record')),
  ]
}

/** Renders record `id` into `root`. */
export async function recordDetailView(root: HTMLElement, id: string, ctx: ViewContext): Promise<void> {
  replaceChildren(root, viewHeading('Record'), h('p', { role: 'status' }, 'Loading…'))
  try {
    const record = await api.record(id, ctx.signal)
    if (ctx.signal.aborted) return
    replaceChildren(root, viewHeading(`Record ${id}`), render(record))
  } catch (err) {
    if (ctx.signal.aborted) return
    replaceChildren(root, viewHeading('Record'), h('p', {}, h('a', { href: '#/records' }, '← All records')))
    showError(root, err, ctx)
  }
}

/** Why the content is or is not shown, for a record with encrypted content. */
function encryptionNotice(r: RecordView): Child {
  if (!r.enc) return null
  const subject = r.enc.subject ?? '?'
  const key = r.enc.key_id ?? '?'
  const [cls, text] = r.erased
    ? ['notice', `Erased: the data key of ${subject} was destroyed; the content is gone.`]
    : r.unreadable === 'KEY_NOT_FOUND'
      ? [
          'notice warn',
          `Content is encrypted under key ${key}, which this collector does not hold (records imported from another data dir keep their own keys).`,
        ]
      : r.unreadable
        ? ['notice warn', `Content could not be opened (${r.unreadable}): its ciphertext or envelope was altered.`]
        : [
            'notice',
            `Content is encrypted for subject ${subject} with key ${key}; it shows here only when the collector decrypts it.`,
          ]
  return h('p', { class: cls }, text)
}
