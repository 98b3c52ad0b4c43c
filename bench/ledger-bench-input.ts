import type { LogInput } from '../packages/sdk/src/index.js'

/**
 * The 1.2 KB call every ledger bench logs (about 1,200 bytes as JSON), built fresh per call so no
 * engine caches a serialization between iterations.
 */
export function benchInput(i: number): LogInput {
  return {
    prompt: `Request ${i}: summarise the attached meeting notes in three bullet points. The customer reported that the export job timed out twice last week and asked whether the retention policy also applies to the archived segments, and whether sealed segments are ever rewritten. Please also list any follow-up actions with their owners and due dates, and flag anything that needs legal review before the quarterly audit.`,
    response: `Summary ${i}:\n- The export job timed out twice last week; the on-call engineer raised the timeout.\n- The customer asked whether retention applies to archived segments: it does, once they are sealed.\n- Sealed segments are never rewritten; retention removes whole segments from the oldest end.\n- Follow-up: the platform team reviews export timeouts by Friday; legal reviews the audit scope before the quarterly audit.`,
    model: 'gpt-4o',
    provider: 'openai',
    userId: `user_${i % 1000}`,
    sessionId: `session_${i % 50}`,
    usage: { inputTokens: 412, outputTokens: 96 },
    latencyMs: 812,
    metadata: {
      endpoint: '/chat',
      region: 'eu-west-1',
      feature: 'meeting-notes',
      attempt: 1,
      client: 'web-app/4.12.0 (build 2026.11.27)',
    },
    tags: ['notes', 'summary'],
  }
}

export const BENCH_INPUT_BYTES = JSON.stringify(benchInput(123456)).length

export function arg(name: string, dflt: number): number {
  return Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt)
}

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0]!)
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => r[c]!)))].join('\n')
}
