/**
 * Whole files in one read into one buffer, for the large files every start reads (the runtime, its
 * stdlib zip, S0): `fs.promises.readFile` reads 512 KiB at a time, each piece one trip through the
 * event loop, so a 7.5 MB file arrived late whenever the main thread was busy meanwhile.
 * `readShared` reads straight into a SharedArrayBuffer: the workers then share the bytes without a
 * copy, and a start pays for one fresh 10 MB allocation instead of two (on the 2-core machine a
 * fresh 10 MB costs ~30 ms of page faults; measured for `fuelbook exec`).
 */
import { open, type FileHandle } from 'node:fs/promises'

/** Fills `target` from `position` on; a file shorter than that is an error. */
export async function readExactly(file: FileHandle, target: Uint8Array, position: number): Promise<void> {
  for (let offset = 0; offset < target.byteLength;) {
    const { bytesRead } = await file.read(target, offset, target.byteLength - offset, position + offset)
    if (bytesRead === 0) throw new Error('the file is shorter than expected')
    offset += bytesRead
  }
}

/** The whole file in shared memory. */
export function readShared(path: string): Promise<Uint8Array> {
  return readInto(path, (size) => new Uint8Array(new SharedArrayBuffer(size)))
}

/** The whole file in an ordinary buffer (what `WebAssembly.compile` takes). */
export function readWhole(path: string): Promise<Uint8Array<ArrayBuffer>> {
  return readInto(path, (size) => new Uint8Array(size))
}

async function readInto<T extends Uint8Array>(path: string, allocate: (size: number) => T): Promise<T> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const bytes = allocate(size)
    await readExactly(file, bytes, 0)
    return bytes
  } finally {
    await file.close()
  }
}
