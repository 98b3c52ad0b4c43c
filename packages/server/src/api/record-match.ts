import type { LedgerRecord } from '@promptledger/sdk'
import { searchText } from '../storage/record-columns.js'
import type { RecordFilter } from '../storage/storage.js'

/** Whether a just-stored record passes a filter (live tail tests records in memory, not in the store). */
export function matchesFilter(record: LedgerRecord, filter: RecordFilter): boolean {
  const ts = Date.parse(record.ts)
  if (filter.from !== undefined && ts < Date.parse(filter.from)) return false
  if (filter.to !== undefined && ts >= Date.parse(filter.to)) return false
  if (filter.model !== undefined && (record.request.model ?? record.response?.model ?? null) !== filter.model) {
    return false
  }
  if (filter.provider !== undefined && record.provider !== filter.provider) return false
  if (filter.userId !== undefined && record.user_id !== filter.userId) return false
  if (filter.sessionId !== undefined && record.session_id !== filter.sessionId) return false
  if (filter.status !== undefined && record.status !== filter.status) return false
  if (filter.app !== undefined && record.app !== filter.app) return false
  if (filter.tag !== undefined && !record.tags.includes(filter.tag)) return false
  if (filter.q !== undefined) {
    const words = filter.q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []
    const text = searchText(record).toLowerCase()
    if (!words.every((w) => text.includes(w))) return false
  }
  return true
}
