/**
 * The subset of the OTLP/HTTP JSON encoding (`ExportTraceServiceRequest`) this exporter writes. The JSON mapping of
 * the protobuf messages differs from plain protobuf JSON in ways receivers enforce: field names are lowerCamelCase,
 * trace and span ids are hex (not base64), enums are integers and 64-bit integers are decimal strings.
 */

export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }

export interface KeyValue {
  key: string
  value: AnyValue
}

/** `Span.SpanKind`. */
export const SPAN_KIND_INTERNAL = 1
export const SPAN_KIND_CLIENT = 3
/** `Status.StatusCode`. */
export const STATUS_CODE_ERROR = 2

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: KeyValue[]
  status?: { code: number; message?: string }
}

export interface ExportTraceServiceRequest {
  resourceSpans: Array<{
    resource: { attributes: KeyValue[] }
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>
  }>
}

/** A scalar or a list of scalars as an OTLP value; null for what OTLP cannot carry (null, NaN, objects). */
export function anyValue(value: unknown): AnyValue | null {
  switch (typeof value) {
    case 'string':
      return { stringValue: value }
    case 'boolean':
      return { boolValue: value }
    case 'number':
      if (!Number.isFinite(value)) return null
      return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value }
    default: {
      if (!Array.isArray(value)) return null
      const values = value.map(anyValue).filter((v): v is AnyValue => v !== null)
      return { arrayValue: { values } }
    }
  }
}

/**
 * Collects attributes, skipping absent values: OTLP has no null, and an attribute that is not set reads the same in
 * every backend as one never recorded.
 */
export class Attributes {
  readonly list: KeyValue[] = []

  set(key: string, value: unknown): this {
    const encoded = anyValue(value)
    if (encoded) this.list.push({ key, value: encoded })
    return this
  }

  /** A number that is a double by meaning (cost, milliseconds), kept a double even when it happens to be whole. */
  double(key: string, value: number | null | undefined): this {
    if (typeof value === 'number' && Number.isFinite(value)) this.list.push({ key, value: { doubleValue: value } })
    return this
  }
}

/**
 * An ISO-8601 time as unix nanoseconds in a decimal string. Exact: the fraction's digits are read from the text,
 * since a JS number holds nanoseconds since 1970 only to about a quarter of a microsecond.
 */
export function unixNanos(iso: string): string {
  const fraction = /\.(\d{1,9})/.exec(iso)
  const whole = Date.parse(fraction ? iso.replace(fraction[0], '') : iso)
  if (Number.isNaN(whole)) return '0'
  const nanos = BigInt(Math.floor(whole / 1000)) * 1_000_000_000n + BigInt((fraction?.[1] ?? '').padEnd(9, '0'))
  return nanos.toString()
}
