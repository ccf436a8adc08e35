/**
 * `fuelbook export`: a notebook as a self-contained HTML report or as .ipynb, with the same
 * converters as the app's Export menu. Reads the file only; needs no Python.
 */
import { basename, dirname, extname, join, resolve } from 'node:path'
import type { ExportFormat } from '../../shared/api'
import { exportNotebookFile } from '../service/notebook-files'
import { EXIT, UsageError, type CliCommand } from './command'
import { commandFailure, notebookArgumentProblem, parseCommandLine } from './command-line'
import { refuseTarget, writeFileAtomic } from './output-file'

const FORMATS: ExportFormat[] = ['html', 'ipynb']

/** analysis.fuelbook → analysis.html beside it. */
function defaultExportPath(notebook: string, format: ExportFormat): string {
  const abs = resolve(notebook)
  return join(dirname(abs), `${basename(abs, extname(abs))}.${format}`)
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage: `fuelbook export NOTEBOOK.fuelbook --to html|ipynb [-o FILE | --force] [--no-code] [--no-stats] [--outputs-only]

Writes the notebook's cells and the outputs and stats of each cell's last run. The HTML report is one
file that opens offline in any browser (no scripts, nothing loaded from the network).

Options:
  --to FORMAT       html or ipynb (required)
  -o, --output FILE where to write; an existing FILE is replaced (- writes to standard output)
                    (default: the notebook's name with .html/.ipynb beside it, which is never
                    replaced without --force: it may be the .ipynb the notebook came from)
  --force           replace the default output file if it exists
  --no-code         HTML: leave out code cells' source
  --no-stats        HTML: leave out the stats lines and the summary
  --outputs-only    HTML: only the outputs (no code, markdown, stats or summary)
  -h, --help        show this help

Exit codes: 0 written, 1 the notebook could not be read or the file not written, 2 bad command line.`,
  async run(args, io) {
    const line = parseCommandLine(
      exportCommand,
      args,
      io,
      {
        to: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'no-code': { type: 'boolean' },
        'no-stats': { type: 'boolean' },
        'outputs-only': { type: 'boolean' },
        force: { type: 'boolean' }
      },
      { count: 'one', missing: 'which notebook? give NOTEBOOK.fuelbook', extra: 'export takes one notebook' }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    if (values.to === undefined) throw new UsageError('--to is required: html or ipynb')
    const format = values.to.toLowerCase() as ExportFormat
    if (!FORMATS.includes(format)) throw new UsageError(`--to must be html or ipynb (got '${values.to}')`)
    const notebook = positionals[0]!
    const target =
      values.output === '-' ? null : resolve(values.output ?? defaultExportPath(notebook, format))
    if (target && target === resolve(notebook))
      throw new UsageError('the output would replace the notebook itself; choose another -o FILE')
    const fail = commandFailure('export', io)
    const missing = notebookArgumentProblem(resolve(notebook))
    if (missing) return fail(missing)
    if (target) {
      const refused = refuseTarget(target, values.output !== undefined || Boolean(values.force))
      if (refused) return fail(`cannot write ${target}: ${refused}`)
    }
    const exported = await exportNotebookFile(notebook, format, {
      hideCode: values['no-code'],
      hideStats: values['no-stats'],
      outputsOnly: values['outputs-only']
    })
    if (!exported.ok) return fail(exported.error)
    if (!target) {
      io.stdout(exported.value.content)
      return EXIT.ok
    }
    writeFileAtomic(target, exported.value.content)
    io.stderr(`Wrote ${target}\n`)
    return EXIT.ok
  }
}
