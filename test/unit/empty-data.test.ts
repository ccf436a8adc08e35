/**
 * empty-data.ts: the meter's empty passive data segments are removed only when every segment is
 * empty and passive and no instruction names one; the module keeps working without them.
 */
import { describe, expect, it } from 'vitest'
import { withoutEmptyDataSegments } from '../../src/main/sandbox/empty-data'
import { instrument } from '../../src/main/sandbox/meter'
import { wat } from '../helpers/meter-wat'

const SOURCE = `(module (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (data (i32.const 64) "world")
  (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u))`

/** Section ids of a module, in order. */
function sectionIds(wasm: Uint8Array): number[] {
  const ids: number[] = []
  let pos = 8
  while (pos < wasm.length) {
    ids.push(wasm[pos++]!)
    let size = 0
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[pos++]!
      size += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) break
    }
    pos += size
  }
  return ids
}

describe('withoutEmptyDataSegments', () => {
  it("drops the meter's empty segments and the data count, and the module still runs", async () => {
    const { bytes: metered, fuelExport } = instrument(await wat(SOURCE), { dropActiveDataSegments: true })
    expect(sectionIds(metered)).toContain(11)
    const trimmed = withoutEmptyDataSegments(metered)
    expect(trimmed).not.toBeNull()
    expect(sectionIds(trimmed!)).not.toContain(11)
    expect(sectionIds(trimmed!)).not.toContain(12)
    expect(trimmed!.length).toBeLessThan(metered.length)
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(trimmed!))
    ;(exports[fuelExport] as WebAssembly.Global).value = 100n
    // As with the untrimmed module: the memory starts zeroed, the segments are not written.
    expect((exports.load as (at: number) => number)(16)).toBe(0)
  })

  it('keeps a module whose segments hold bytes', async () => {
    expect(withoutEmptyDataSegments(await wat(SOURCE))).toBeNull()
  })

  it('keeps a module with no data section', async () => {
    expect(withoutEmptyDataSegments(await wat('(module (func (export "f")))'))).toBeNull()
  })

  it('keeps a module whose code names a segment (it would not validate without it)', async () => {
    const wasm = await wat(`(module (memory 1) (data $d "")
      (func (export "f") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $d)))`)
    expect(withoutEmptyDataSegments(wasm)).toBeNull()
  })
})
