/**
 * guest-instance.ts, WiredInstance: an instance kept across runs sends every import to the host of
 * the run it serves now, and it may only be kept because the runtime never writes its function
 * table (a kept instance would otherwise carry one run's table into the next, which a state
 * restored into a new instance does not have).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WiredInstance } from '../../src/main/sandbox/guest-instance'
import { ByteReader } from '../../src/main/sandbox/meter/bytes'
import { skipBlockType, skipImmediates } from '../../src/main/sandbox/meter/immediates'
import { parseModule } from '../../src/main/sandbox/meter/sections'
import { wat } from '../helpers/meter-wat'
import { RUNTIME_DIR } from '../helpers/runtime-dir'

/** Control operators and local/global access, which the meter's skipImmediates leaves to its rewriter. */
const BLOCK_TYPED = new Set([0x02, 0x03, 0x04, 0x06]) // block, loop, if, try
const ONE_INDEX = new Set([0x07, 0x08, 0x09, 0x0c, 0x0d, 0x10, 0x18, 0x20, 0x21, 0x22, 0x23, 0x24])
const NO_IMMEDIATE = new Set([0x00, 0x01, 0x05, 0x0b, 0x0f, 0x19, 0x1a, 0x1b])
/** 0xFC table.init, elem.drop, table.copy, table.grow, table.fill (one LEB byte each). */
const TABLE_WRITES_FC = new Set([12, 13, 14, 15, 17])

/** Operators that write a table, by function: table.set and the 0xFC ones above. */
function tableWrites(wasm: Uint8Array): string[] {
  const module = parseModule(wasm)
  const found: string[] = []
  module.bodies.forEach((body, index) => {
    const r = new ByteReader(wasm, body.start, body.end)
    const groups = r.u32()
    for (let i = 0; i < groups; i++) {
      r.u32()
      r.u8()
    }
    while (r.pos < r.end) {
      const start = r.pos
      const op = r.u8()
      if (BLOCK_TYPED.has(op)) {
        skipBlockType(r)
      } else if (op === 0x0e) {
        for (let n = r.u32(), k = 0; k <= n; k++) r.u32() // br_table
      } else if (op === 0x11) {
        r.u32() // call_indirect: type, table
        r.u32()
      } else if (ONE_INDEX.has(op)) {
        r.u32()
      } else if (!NO_IMMEDIATE.has(op)) {
        if (op === 0x26) found.push(`table.set in function ${index}`)
        if (op === 0xfc && TABLE_WRITES_FC.has(r.bytes[r.pos]!))
          found.push(`0xFC ${r.bytes[r.pos]} in function ${index}`)
        skipImmediates(r, op, start)
      }
    }
  })
  return found
}

describe('WiredInstance', () => {
  it('may be kept across runs: the packaged runtime never writes its function table', () => {
    const wasm = new Uint8Array(readFileSync(join(RUNTIME_DIR, 'python.wasm')))
    expect(parseModule(wasm).bodies.length).toBeGreaterThan(1000)
    expect(tableWrites(wasm)).toEqual([])
  })

  it('finds a table write where there is one (the check above can fail)', async () => {
    const wasm = await wat(`(module (table 2 funcref) (func $f)
      (func (export "g") (table.set 0 (i32.const 1) (ref.func $f)) (drop (table.grow 0 (ref.null func) (i32.const 1))))
      (elem declare func $f))`)
    expect(tableWrites(wasm)).toEqual(['table.set in function 1', '0xFC 15 in function 1'])
  })

  it('sends each import to the host of the run it serves now, and refuses a host that lacks one', async () => {
    const module = new WebAssembly.Module(
      await wat(`(module (import "env" "memory" (memory 1)) (import "host" "f" (func $f (result i32)))
        (func (export "call") (result i32) (call $f)))`)
    )
    const memory = new WebAssembly.Memory({ initial: 1 })
    const wired = new WiredInstance(
      { module, memoryImport: { module: 'env', name: 'memory', initialPages: 1 } },
      memory
    )
    const call = wired.exports.call as () => number
    wired.serve({ host: { f: () => 1 } })
    expect(call()).toBe(1)
    wired.serve({ host: { f: () => 2 } })
    expect(call()).toBe(2)
    expect(wired.memory).toBe(memory)
    // Between runs it holds no host: a call out of it fails instead of reaching the last run's.
    wired.release()
    expect(() => call()).toThrow('the instance serves no run')
    wired.serve({ host: { f: () => 3 } })
    expect(call()).toBe(3)
    expect(() => wired.serve({ host: {} })).toThrow('the host provides no function host.f')
  })
})
