/**
 * Clocks and randomness for the guest. Both come in two flavours: real (crypto, wall clock) and
 * deterministic (a seeded generator and a virtual clock), and both keep their state in the
 * snapshot so that the same cell from the same head sees the same values in deterministic mode,
 * and a clock that never goes backwards across restores and app restarts otherwise.
 */
import { webcrypto } from 'node:crypto'
import { performance } from 'node:perf_hooks'

export interface ClockState {
  /** Highest monotonic reading handed out so far (ns): a floor for the next one. */
  monotonicFloorNs: bigint
  /** Virtual time (ns since the epoch); advances only in deterministic mode. */
  virtualNs: bigint
  /** sfc32 state of the deterministic random generator. */
  random: [number, number, number, number]
}

/** 2024-01-01T00:00:00Z: virtual time starts here, so dates look plausible. */
const VIRTUAL_EPOCH_NS = 1_704_067_200_000_000_000n
/** Each virtual clock reading advances time by 1 µs: loops that wait for time to pass end. */
const VIRTUAL_TICK_NS = 1_000n

export function initialClockState(): ClockState {
  return {
    monotonicFloorNs: 0n,
    virtualNs: VIRTUAL_EPOCH_NS,
    random: [0x9e3779b9, 0x243f6a88, 0xb7e15162, 1]
  }
}

function wallNs(): bigint {
  // timeOrigin + now() has sub-millisecond precision, unlike Date.now().
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1_000n
}

export class GuestClock {
  constructor(
    readonly state: ClockState,
    readonly deterministic: boolean
  ) {}

  realtimeNs(): bigint {
    if (this.deterministic) return this.tick()
    return wallNs()
  }

  /**
   * Wall-clock based, floored by the highest value ever handed out: a snapshot restored in a
   * new process (whose performance.now() restarts at 0) never sees time go backwards.
   */
  monotonicNs(): bigint {
    if (this.deterministic) return this.tick()
    let now = wallNs()
    if (now <= this.state.monotonicFloorNs) now = this.state.monotonicFloorNs + 1n
    this.state.monotonicFloorNs = now
    return now
  }

  /** A sleep of `ns`: virtual time jumps by exactly that much. */
  advance(ns: bigint): void {
    if (this.deterministic) this.state.virtualNs += ns
  }

  private tick(): bigint {
    this.state.virtualNs += VIRTUAL_TICK_NS
    return this.state.virtualNs
  }
}

export class GuestRandom {
  constructor(
    readonly state: ClockState,
    readonly deterministic: boolean
  ) {}

  fill(bytes: Uint8Array): void {
    if (!this.deterministic) {
      for (let i = 0; i < bytes.byteLength; i += 65536)
        webcrypto.getRandomValues(bytes.subarray(i, i + 65536))
      return
    }
    for (let i = 0; i < bytes.byteLength; i += 4) {
      const word = this.next()
      for (let j = 0; j < 4 && i + j < bytes.byteLength; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff
    }
  }

  /** sfc32: small, fast, and good enough for seeding Python's own Mersenne Twister. */
  private next(): number {
    const s = this.state.random
    let [a, b, c, d] = s
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    s[0] = a
    s[1] = b
    s[2] = c
    s[3] = d
    return t >>> 0
  }
}
