/**
 * `fuelbook import`: a Jupyter .ipynb as a new .fuelbook with its cells, outputs and attachments.
 * The notebook is built under a temporary name and renamed into place only when complete, so a bad
 * input or a crash leaves nothing behind; an existing file is never replaced without --force.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { missingNotebook } from '../service/notebook-path'
import { createNotebookFromIpynb } from '../service/notebook-files'
import { EXIT, type CliCommand } from './command'
import { commandFailure, defaultImportPath, parseCommandLine } from './command-line'
import { refuseTarget, tempPathFor } from './output-file'

/**
 * `source` (.ipynb) as the new notebook `target`, built under a temporary name and renamed into place
 * when complete; an existing `target` is replaced only with `force`. The messages are the command's.
 */
export function importIpynbFile(
  source: string,
  target: string,
  force: boolean
): Result<{ cellCount: number; cellsWithOutputs: number }> {
  const missing = missingNotebook(source)
  if (missing) return fail(missing)
  if (target === source) return fail('the output would replace the input; choose another -o FILE')
  const refused = refuseTarget(target, force)
  if (refused) return fail(`cannot create ${target}: ${refused}`)
  let content: string
  try {
    content = readFileSync(source, 'utf8')
  } catch (error) {
    return fail(`cannot read ${source}: ${(error as Error).message}`)
  }
  const temp = tempPathFor(target)
  const imported = createNotebookFromIpynb(content, temp, basename(source, extname(source)))
  if (!imported.ok) {
    const { stage, message } = imported.error
    if (stage === 'read') return fail(`${source}: ${message}`)
    return fail(stage === 'write' ? `could not write the notebook: ${message}` : message)
  }
  const { store, cellCount, cellsWithOutputs } = imported.value
  store.close()
  try {
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { force: true })
    return fail(`could not create ${target}: ${(error as Error).message}`)
  }
  return ok({ cellCount, cellsWithOutputs })
}

export const importCommand: CliCommand = {
  name: 'import',
  usage: `fuelbook import NOTEBOOK.ipynb [-o NOTEBOOK.fuelbook] [--force]

Reads a Jupyter notebook (nbformat 4, any minor version) and creates a new Fuelbook notebook with its
cells, outputs and attachments. Nothing is written when the input is not a valid notebook.

Options:
  -o, --output FILE  the notebook to create (default: the .ipynb's name with .fuelbook, beside it)
  --force            replace FILE if it exists (never done without this flag)
  -h, --help         show this help

Exit codes: 0 created, 1 the input could not be read or is not a valid notebook, or the output exists,
2 bad command line.`,
  async run(args, io) {
    const line = parseCommandLine(
      importCommand,
      args,
      io,
      { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
      { count: 'one', missing: 'which notebook? give NOTEBOOK.ipynb', extra: 'import takes one .ipynb file' }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    const source = resolve(positionals[0]!)
    const target = resolve(values.output ?? defaultImportPath(source))
    const imported = importIpynbFile(source, target, Boolean(values.force))
    if (!imported.ok) return commandFailure('import', io)(imported.error)
    const { cellCount, cellsWithOutputs } = imported.value
    io.stderr(`Created ${target}: ${cellCount} cells, ${cellsWithOutputs} with outputs\n`)
    return EXIT.ok
  }
}
