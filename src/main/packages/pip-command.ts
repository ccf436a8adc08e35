import { errorMessage } from '../../shared/result'
/**
 * `%pip …` lines of a cell. The host runs them before the cell (the sandbox has no network), and
 * the kernel gets the cell with those lines blanked, so line numbers in tracebacks stay right.
 * Only lines at the top level count: inside a block a `%pip` would run conditionally, which a
 * host step before the cell cannot honour, so it is left to the kernel (which refuses it).
 */

export interface InstallArgs {
  /** PEP 508 requirement strings and `.whl` paths, as typed. */
  requirements: string[]
  wheelFiles: string[]
  /** -i / --index-url; undefined = the app's setting. */
  indexUrl?: string
  noIndex: boolean
  /** -f / --find-links: folders of wheels. */
  findLinks: string[]
  upgrade: boolean
}

export type PipCommand =
  | ({ kind: 'install'; line: string } & InstallArgs)
  | { kind: 'uninstall'; line: string; names: string[] }
  | { kind: 'list'; line: string }
  | { kind: 'invalid'; line: string; message: string }

export interface PipCell {
  commands: PipCommand[]
  /** The cell with its `%pip` lines blanked: what the kernel runs. */
  code: string
}

const PIP_LINE = /^[%!](?:pip3?|python3?\s+-m\s+pip)(?:\s+(.*))?$/

export function extractPipCommands(source: string): PipCell {
  const commands: PipCommand[] = []
  const lines = source.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '')
    const match = PIP_LINE.exec(line.trimEnd())
    if (!match) continue
    commands.push(parsePipArguments(line.trim(), match[1] ?? ''))
    lines[i] = ''
  }
  return { commands, code: commands.length > 0 ? lines.join('\n') : source }
}

/** `install sympy==1.12 -f ./wheels` → the command; a line for messages. */
export function parsePipArguments(line: string, text: string): PipCommand {
  let words: string[]
  try {
    words = shellWords(text)
  } catch (error) {
    return { kind: 'invalid', line, message: errorMessage(error) }
  }
  const [verb, ...rest] = words
  switch (verb) {
    case 'install':
      return parseInstall(line, rest)
    case 'uninstall': {
      const names = rest.filter((w) => !w.startsWith('-'))
      if (names.length === 0) return { kind: 'invalid', line, message: 'uninstall needs a package name' }
      return { kind: 'uninstall', line, names }
    }
    case 'list':
    case 'freeze':
      return { kind: 'list', line }
    default:
      return {
        kind: 'invalid',
        line,
        message: `${verb === undefined ? 'a command' : `"${verb}"`} is not supported here; use %pip install, %pip uninstall or %pip list`
      }
  }
}

export function parseInstall(line: string, words: string[]): PipCommand {
  const args: InstallArgs = {
    requirements: [],
    wheelFiles: [],
    noIndex: false,
    findLinks: [],
    upgrade: false
  }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const value = (): string | null => {
      const eq = word.indexOf('=')
      if (word.startsWith('--') && eq > 0) return word.slice(eq + 1)
      return words[++i] ?? null
    }
    const option = word.startsWith('--') ? word.split('=')[0]! : word
    switch (option) {
      case '-i':
      case '--index-url': {
        const url = value()
        if (url === null) return { kind: 'invalid', line, message: `${option} needs a URL` }
        args.indexUrl = url
        break
      }
      case '-f':
      case '--find-links': {
        const dir = value()
        if (dir === null) return { kind: 'invalid', line, message: `${option} needs a folder` }
        args.findLinks.push(dir)
        break
      }
      case '--no-index':
        args.noIndex = true
        break
      case '-U':
      case '--upgrade':
        args.upgrade = true
        break
      case '-q':
      case '--quiet':
      case '-v':
      case '--verbose':
      case '--no-deps-warning':
      case '--disable-pip-version-check':
        break
      case '-r':
      case '--requirement':
      case '-e':
      case '--editable':
      case '--user':
      case '--target':
        return {
          kind: 'invalid',
          line,
          message: `${option} is not supported: name the packages (or .whl files) instead`
        }
      default:
        if (word.startsWith('-')) return { kind: 'invalid', line, message: `unknown option ${word}` }
        if (word.endsWith('.whl')) args.wheelFiles.push(word)
        else args.requirements.push(word)
    }
  }
  if (args.requirements.length === 0 && args.wheelFiles.length === 0)
    return { kind: 'invalid', line, message: 'install needs a package name or a .whl file' }
  return { kind: 'install', line, ...args }
}

/** Splits like a POSIX shell: spaces separate, quotes group, backslash escapes. */
function shellWords(text: string): string[] {
  const words: string[] = []
  let word: string | null = null
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quote !== null) {
      if (ch === quote) quote = null
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i]!
      else word += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      word ??= ''
    } else if (ch === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i]!
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word)
      word = null
    } else {
      word = (word ?? '') + ch
    }
  }
  if (quote !== null) throw new Error(`unclosed ${quote} quote`)
  if (word !== null) words.push(word)
  return words
}
