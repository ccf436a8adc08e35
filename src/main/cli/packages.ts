/**
 * `fuelbook packages`: lists the wheels a notebook carries, or adds (.whl files) and removes them
 * through the same service as `%pip` and the sidebar, so the file is written in one transaction and
 * a refusal leaves it as it was (src/main/packages/README.md).
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { formatBytes } from '../../shared/format'
import type { PackageInfo } from '../../shared/packages'
import { composeService } from '../service/compose'
import { EXIT, UsageError, type CliCommand, type CliIO } from './command'
import { commandFailure, notebookArgumentProblem, parseCommandLine } from './command-line'
import { readStoredPackages } from '../service/notebook-document'

/**
 * The listing: one row per wheel, name order, with its size, the size of its bytecode cache (`-`:
 * none yet, made before the next run that imports it) and what asked for it.
 */
function packagesTable(packages: (PackageInfo & { bytecodeBytes: number })[]): string {
  if (packages.length === 0) return 'No packages in this notebook.\n'
  const rows = [
    ['Package', 'Version', 'Size', 'Bytecode', 'Requested by'],
    ...packages.map((p) => [
      p.displayName,
      p.version,
      formatBytes(p.bytes),
      p.bytecodeBytes > 0 ? formatBytes(p.bytecodeBytes) : '-',
      p.requestedBy
    ])
  ]
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((r) => r[col]!.length)))
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()
      )
      .join('\n') + '\n'
  )
}

/** `--add` words for the install: the files, and their folders for dependencies shipped beside them. */
function addWords(files: string[], noIndex: boolean): string[] {
  const folders = [...new Set(files.map((f) => dirname(f)))]
  return [...files, ...folders.flatMap((d) => ['--find-links', d]), ...(noIndex ? ['--no-index'] : [])]
}

function checkWheelPaths(paths: string[]): string[] {
  return paths.map((given) => {
    if (!given.toLowerCase().endsWith('.whl'))
      throw new UsageError(`--add takes a wheel file (NAME-VERSION-py3-none-any.whl), got '${given}'`)
    const path = resolve(given)
    if (!existsSync(path)) throw new UsageError(`--add ${given}: no such file`)
    if (statSync(path).isDirectory()) throw new UsageError(`--add ${given} is a folder, not a wheel file`)
    return path
  })
}

async function edit(
  path: string,
  io: CliIO,
  change: { add: string[]; remove: string[]; noIndex: boolean }
): Promise<number> {
  const composed = await composeService({ shell: 'browser', appRoot: io.appRoot, version: io.version })
  const { service } = composed
  const fail = commandFailure('packages', io)
  try {
    const opened = await service.openNotebook(path)
    if (!opened.ok) return fail(opened.error)
    if (opened.value.readOnly)
      return fail(
        `${path} is read-only (open in another Fuelbook window, or not writable); nothing was changed`
      )
    if (change.add.length > 0) {
      const installed = await service.installPackages(path, addWords(change.add, change.noIndex))
      if (!installed.ok) return fail(installed.error)
      io.stdout(installed.value.summary)
      return EXIT.ok
    }
    const removed = await service.removePackages(path, change.remove)
    if (!removed.ok) return fail(removed.error)
    const kept = new Set(removed.value.map((p) => p.name))
    const gone = opened.value.packages.filter((p) => !kept.has(p.name))
    io.stdout(`Removed from this notebook: ${gone.map((p) => `${p.displayName} ${p.version}`).join(', ')}\n`)
    return EXIT.ok
  } finally {
    await composed.close()
  }
}

export const packagesCommand: CliCommand = {
  name: 'packages',
  usage: `fuelbook packages NOTEBOOK.fuelbook [--add FILE.whl ... [--no-index] | --remove NAME ...]

Without options, lists the wheels stored in the notebook (name, version, size, the size of its
bytecode cache, what asked for it).
Every run of the notebook, including 'fuelbook run', imports them from the file, with no network.

Options:
  --add FILE.whl    store a pure-Python wheel (py3-none-any) in the notebook; repeatable. Its
                    dependencies come from the wheel's folder, then the package index
                    (Settings ▸ Package index), as '%pip install FILE.whl' in a cell does
  --no-index        with --add: never ask the package index, only the wheels' folders
  --remove NAME     remove a package from the notebook (not its dependencies); repeatable
  -h, --help        show this help

A refused change (not a wheel, a package that needs compiled code, a missing dependency, the size
limit) stores nothing. Exit codes: 0 done, 1 refused or the notebook could not be read or written,
2 bad command line.`,
  async run(args, io) {
    const line = parseCommandLine(
      packagesCommand,
      args,
      io,
      {
        add: { type: 'string', multiple: true },
        remove: { type: 'string', multiple: true },
        'no-index': { type: 'boolean' }
      },
      {
        count: 'one',
        missing: 'which notebook? give NOTEBOOK.fuelbook',
        extra: 'packages takes one notebook'
      }
    )
    if (line.helpShown) return EXIT.ok
    const { values, positionals } = line
    const add = values.add ?? []
    const remove = values.remove ?? []
    if (add.length > 0 && remove.length > 0)
      throw new UsageError('--add and --remove cannot be combined; run one, then the other')
    if (values['no-index'] && add.length === 0) throw new UsageError('--no-index goes with --add')
    const path = resolve(positionals[0]!)
    const fail = commandFailure('packages', io)
    const missing = notebookArgumentProblem(path)
    if (missing) return fail(missing)
    if (add.length === 0 && remove.length === 0) {
      const stored = readStoredPackages(path)
      if (!stored.ok) return fail(stored.error)
      io.stdout(packagesTable(stored.value))
      return EXIT.ok
    }
    return edit(path, io, { add: checkWheelPaths(add), remove, noIndex: Boolean(values['no-index']) })
  }
}
