/** Column of a text table: header and how to render a row's cell. */
export interface Column<T> {
  header: string
  cell(row: T): string
  /** Right-align (numbers). */
  right?: boolean
  /** Truncate longer cells with an ellipsis. */
  max?: number
}

/** A plain aligned text table for terminals (no colour, so it can be piped). */
export function renderTable<T>(columns: Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = c.cell(row).replace(/\s+/g, ' ')
      return c.max !== undefined && text.length > c.max ? `${text.slice(0, c.max - 1)}…` : text
    }),
  )
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

export const fmt = {
  ms: (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${Math.round(v)}ms`),
  num: (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v)),
  usd: (v: number | null | undefined) => (v === null || v === undefined ? '-' : `$${v.toFixed(4)}`),
  pct: (v: number) => `${(v * 100).toFixed(1)}%`,
}
