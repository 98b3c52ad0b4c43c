/** One server-sent event: the `event:` name (default `message`) and its joined `data:` lines. */
export interface SseEvent {
  event: string
  data: string
}

/**
 * Parses a complete SSE body (WHATWG rules: blank line ends an event, `data:` lines join with `\n`, one optional
 * space after the colon, comments start with `:`). A trailing event without its blank line is kept: a stream cut
 * midway still yields what arrived whole.
 */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = []
  let event = ''
  let data: string[] = []
  const flush = (): void => {
    if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n') })
    event = ''
    data = []
  }
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      flush()
      continue
    }
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  flush()
  return events
}

/** `JSON.parse` that returns undefined instead of throwing: a cut stream ends in half an object. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
