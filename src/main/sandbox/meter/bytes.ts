/**
 * Byte-level reading and writing of the WebAssembly binary format: LEB128 integers, names, raw
 * spans. Every read is bounds-checked and every malformed encoding throws `MeterError`, because
 * the rewriter must refuse what it does not understand rather than emit a silently wrong module.
 */

/** Anything the meter does not understand or cannot rewrite safely. */
export class MeterError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MeterError'
  }
}

export class ByteReader {
  pos: number
  end: number
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length
  ) {
    this.pos = start
    this.end = end
  }

  eof(what: string): never {
    throw new MeterError(
      `truncated module: unexpected end of input while reading ${what} at byte ${this.pos}`
    )
  }

  u8(): number {
    if (this.pos >= this.end) this.eof('a byte')
    return this.bytes[this.pos++]!
  }

  /** Unsigned LEB128 of at most 32 bits (5 bytes). Accumulates with multiplication to avoid 32-bit overflow. */
  u32(): number {
    const b = this.bytes
    let pos = this.pos
    const first = pos < this.end ? b[pos++]! : this.eof('u32')
    if (first < 0x80) {
      this.pos = pos
      return first
    }
    let result = first & 0x7f
    let mul = 0x80
    for (let i = 1; i < 5; i++) {
      const byte = pos < this.end ? b[pos++]! : this.eof('u32')
      result += (byte & 0x7f) * mul
      if (byte < 0x80) {
        if (i === 4 && byte > 0x0f)
          throw new MeterError(`malformed u32 LEB at byte ${this.pos}: value exceeds 32 bits`)
        this.pos = pos
        return result
      }
      mul *= 0x80
    }
    throw new MeterError(`malformed u32 LEB at byte ${this.pos}: longer than 5 bytes`)
  }

  /**
   * Signed LEB128 of at most `bits` bits (33 for block types, 32 for i32.const). Returns a JS
   * number, exact for up to 53 bits.
   */
  sleb(bits: 32 | 33): number {
    const b = this.bytes
    const maxBytes = Math.ceil(bits / 7)
    let result = 0
    let mul = 1
    let byte: number
    let i = 0
    do {
      if (i >= maxBytes) throw new MeterError(`malformed s${bits} LEB at byte ${this.pos}: too long`)
      byte = this.pos < this.end ? b[this.pos++]! : this.eof(`s${bits}`)
      result += (byte & 0x7f) * mul
      mul *= 0x80
      i++
    } while (byte & 0x80)
    if (byte & 0x40) result -= mul
    return result
  }

  /** Skips a signed LEB128 of up to 64 bits (i64.const) without decoding it. */
  skipS64(): void {
    for (let i = 0; i < 10; i++) {
      const byte = this.pos < this.end ? this.bytes[this.pos++]! : this.eof('s64')
      if (byte < 0x80) return
    }
    throw new MeterError(`malformed s64 LEB at byte ${this.pos}: longer than 10 bytes`)
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.eof(`${n} bytes`)
    this.pos += n
  }

  name(): string {
    const len = this.u32()
    const start = this.pos
    this.skip(len)
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(start, start + len))
  }
}

/** Growable output buffer. */
export class ByteWriter {
  buf: Uint8Array<ArrayBuffer>
  len = 0
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity)
  }

  private grow(extra: number): void {
    let cap = this.buf.length * 2
    while (cap < this.len + extra) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  byte(v: number): void {
    if (this.len >= this.buf.length) this.grow(1)
    this.buf[this.len++] = v
  }

  u32(v: number): void {
    if (this.len + 5 > this.buf.length) this.grow(5)
    const buf = this.buf
    do {
      let byte = v & 0x7f
      v = Math.floor(v / 128)
      if (v !== 0) byte |= 0x80
      buf[this.len++] = byte
    } while (v !== 0)
  }

  /** Signed LEB128 of any integer exactly representable as a JS number (|v| < 2^53). */
  sleb(v: number): void {
    if (this.len + 10 > this.buf.length) this.grow(10)
    const buf = this.buf
    if (v >= 0 && v < 64) {
      buf[this.len++] = v // the common case: small charges and check constants
      return
    }
    for (;;) {
      const byte = ((v % 128) + 128) % 128
      v = Math.floor(v / 128)
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
      buf[this.len++] = done ? byte : byte | 0x80
      if (done) return
    }
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start
    if (this.len + n > this.buf.length) this.grow(n)
    const buf = this.buf
    if (n < 256) {
      // Most copies are a few opcode bytes: a loop beats creating a subarray view.
      let at = this.len
      for (let i = start; i < end; i++) buf[at++] = src[i]!
    } else {
      buf.set(src.subarray(start, end), this.len)
    }
    this.len += n
  }

  name(s: string): void {
    const enc = new TextEncoder().encode(s)
    this.u32(enc.length)
    this.bytes(enc)
  }

  /** Writes `content` as a length-prefixed vector (section payload, function body). */
  sized(content: ByteWriter): void {
    this.u32(content.len)
    this.bytes(content.buf, 0, content.len)
  }

  /** The written bytes without copying (shares the buffer; for the final output). */
  view(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.len)
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len)
  }
}
