/**
 * Pure. The bytecode cache of one wheel as one file (README.md, "Bytecode cache"): the `.pyc` files
 * the sandbox's own compiler made of the wheel's modules (the driver's `bytecode` op,
 * runtime/site/fuelbook_wheels.py, which reads this layout back):
 *
 *     "fuelbook-bytecode 1 <index bytes>\n"
 *     index: "<path in the wheel>\t<offset>\t<length>\t<source crc32>\t<pyc crc32>\n" per module
 *     data: each .pyc compressed with zlib (by the sandbox), offsets counted from the end of the index
 *
 * The same entries always give the same bytes: the layout is fixed and the entries come in the
 * wheel's name order.
 */

/** One compiled module, as the sandbox made it. */
export interface BytecodeEntry {
  /** Its path inside the wheel (`pkg/mod.py`). */
  path: string
  /** CRC-32 of the source, from the wheel's directory: ties the entry to that very file. */
  sourceCrc: number
  /** CRC-32 of `pyc`, checked on import. */
  pycCrc: number
  /** An unchecked hash-based .pyc (PEP 552), compressed with zlib. */
  pyc: Uint8Array
}

/** A wheel compiled by the sandbox: what compiled and what did not (a SyntaxError: left out). */
export interface CompiledWheel {
  entries: BytecodeEntry[]
  skipped: string[]
}

const HEADER = 'fuelbook-bytecode 1 '

export function bytecodeFile(entries: readonly BytecodeEntry[]): Uint8Array {
  const lines: string[] = []
  let offset = 0
  for (const e of entries) {
    if (/[\t\n]/.test(e.path)) throw new Error(`bytecode: a module path with a tab or newline: ${e.path}`)
    lines.push(`${e.path}\t${offset}\t${e.pyc.byteLength}\t${e.sourceCrc}\t${e.pycCrc}\n`)
    offset += e.pyc.byteLength
  }
  const index = new TextEncoder().encode(lines.join(''))
  const head = new TextEncoder().encode(`${HEADER}${index.byteLength}\n`)
  const file = new Uint8Array(head.byteLength + index.byteLength + offset)
  file.set(head, 0)
  file.set(index, head.byteLength)
  let at = head.byteLength + index.byteLength
  for (const e of entries) {
    file.set(e.pyc, at)
    at += e.pyc.byteLength
  }
  return file
}
