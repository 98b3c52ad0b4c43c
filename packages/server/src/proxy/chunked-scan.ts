/**
 * Finds where a chunked body (RFC 9112 §7.1) ends while its bytes pass through untouched: the forwarder needs the
 * end to reuse the upstream connection and to know the client has the whole response. Hot path: a byte loop over
 * chunk-size lines only, with data skipped by arithmetic; no copies, no allocations. Strict: anything that is not a
 * well-formed chunk stream is an error, so a pooled connection is never reused out of step with its server.
 */

// Scanner states.
const SIZE = 0
const EXT = 1
const SIZE_LF = 2
const DATA = 3
const DATA_CR = 4
const DATA_LF = 5
const TRAILER_START = 6
const TRAILER_LINE = 7
const TRAILER_LF = 8
const END_LF = 9

/** Largest chunk size accepted (hex digits), far above any response a proxy should carry in one chunk. */
const MAX_SIZE_DIGITS = 12

export class ChunkedScanner {
  #state = SIZE
  #left = 0
  #digits = 0

  /** Back to the start of a body, for the next response on the connection. */
  reset(): void {
    this.#state = SIZE
    this.#left = 0
    this.#digits = 0
  }

  /**
   * Scans `buf` from `from`. Returns the index just past the body's last byte when the body ends in `buf`, -1 when
   * it goes on, -2 when the bytes are not a valid chunk stream.
   */
  scan(buf: Uint8Array, from: number): number {
    let i = from
    const n = buf.length
    while (i < n) {
      switch (this.#state) {
        case DATA: {
          const take = Math.min(this.#left, n - i)
          i += take
          this.#left -= take
          if (this.#left === 0) this.#state = DATA_CR
          continue
        }
        case SIZE: {
          const c = buf[i]!
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
          if (v >= 0) {
            if (++this.#digits > MAX_SIZE_DIGITS) return -2
            this.#left = this.#left * 16 + v
          } else if (this.#digits === 0) return -2
          else if (c === 13) this.#state = SIZE_LF
          else if (c === 59) this.#state = EXT
          else return -2
          break
        }
        case EXT: {
          const c = buf[i]!
          if (c === 13) this.#state = SIZE_LF
          else if (c === 10) return -2
          break
        }
        case SIZE_LF:
          if (buf[i] !== 10) return -2
          this.#digits = 0
          this.#state = this.#left === 0 ? TRAILER_START : DATA
          break
        case DATA_CR:
          if (buf[i] !== 13) return -2
          this.#state = DATA_LF
          break
        case DATA_LF:
          if (buf[i] !== 10) return -2
          this.#state = SIZE
          break
        case TRAILER_START:
          // Either the blank line that ends the body, or a trailer field line.
          this.#state = buf[i] === 13 ? END_LF : TRAILER_LINE
          break
        case TRAILER_LINE: {
          const c = buf[i]!
          if (c === 13) this.#state = TRAILER_LF
          else if (c === 10) return -2
          break
        }
        case TRAILER_LF:
          if (buf[i] !== 10) return -2
          this.#state = TRAILER_START
          break
        case END_LF:
          if (buf[i] !== 10) return -2
          this.reset()
          return i + 1
      }
      i++
    }
    return -1
  }
}

/**
 * The payload of a chunked body, for the record (off the forwarding path). A cut or truncated body yields what was
 * complete plus the partial last chunk.
 */
export function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  while (at < raw.length) {
    const eol = raw.indexOf('\r\n', at)
    if (eol < 0) break
    const line = raw.toString('latin1', at, eol)
    const semi = line.indexOf(';')
    const size = Number.parseInt(semi < 0 ? line : line.slice(0, semi), 16)
    if (!Number.isFinite(size) || size <= 0) break
    const start = eol + 2
    parts.push(raw.subarray(start, Math.min(raw.length, start + size)))
    at = start + size + 2
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}
