/**
 * Writing to the process's stdout/stderr when the reader may go away first (`fuelbook exec … |
 * head -1`): a closed pipe ends the output quietly, and the command still ends with the exit code
 * it would have had, as Unix tools do. Any other write error stays loud.
 */
import type { Writable } from 'node:stream'

export function pipeWriter(stream: Writable): (text: string) => void {
  let readerGone = false
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    readerGone = true
  })
  return (text) => {
    if (!readerGone) stream.write(text)
  }
}
