/**
 * ESLint rule `fuelbook/layering`: the dependency arrows of docs/architecture.md, enforced by lint (as VS Code's
 * `code-layering`), not by hope. Each layer lists the layers it may import from; 'electron' may be
 * imported only by the desktop shell and the preload (which loads its own better-sqlite3 build
 * through the service's composeService).
 */
import { dirname, relative, resolve, sep } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')

/** Layer of a file, by its path relative to the repo root; null = not layered (tests, configs). */
function layerOf(file) {
  const rel = relative(ROOT, file).split(sep).join('/')
  if (rel.startsWith('src/shared/')) return 'shared'
  if (rel.startsWith('src/preload/')) return 'preload'
  if (rel.startsWith('src/renderer/')) return 'renderer'
  const m = /^src\/main\/([^/]+)\//.exec(rel)
  if (m) return m[1]
  if (rel === 'src/main/library.ts') return 'library'
  if (rel.startsWith('src/main/')) return 'main-entry' // cli.ts (and the Electron entry's build glue)
  return null
}

const ALLOWED = {
  shared: ['shared'],
  preload: ['shared', 'preload'],
  renderer: ['shared', 'renderer'],
  sandbox: ['shared', 'sandbox'],
  kernel: ['shared', 'sandbox', 'kernel'],
  store: ['shared', 'store'],
  export: ['shared', 'export'],
  packages: ['shared', 'packages'],
  service: ['shared', 'sandbox', 'kernel', 'store', 'export', 'packages', 'service'],
  // The library (require('fuelbook')) is the kernel as a package: one run, or a host of kernels.
  library: ['shared', 'sandbox', 'kernel', 'library'],
  // The front doors reach the notebook only through the service or the library: every rule about
  // files, runs and limits then holds for all of them.
  server: ['shared', 'service', 'library', 'server'],
  electron: ['shared', 'service', 'library', 'electron'],
  cli: ['shared', 'service', 'library', 'cli'],
  // The entry point wires the front doors together (`fuelbook serve` starts the server).
  'main-entry': ['shared', 'service', 'library', 'server', 'cli', 'main-entry']
}

const ELECTRON_LAYERS = new Set(['electron', 'preload'])

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency arrows between src/ layers (docs/architecture.md).' },
    schema: []
  },
  create(context) {
    const file = context.filename
    const from = layerOf(file)
    if (!from) return {}
    function check(node, source) {
      if (typeof source !== 'string') return
      if (source === 'electron' || source.startsWith('electron/')) {
        if (!ELECTRON_LAYERS.has(from)) {
          context.report({
            node,
            message: `Only src/main/electron and src/preload may import 'electron' (this is '${from}').`
          })
        }
        return
      }
      if (!source.startsWith('.')) return
      const to = layerOf(resolve(dirname(file), source) + '/x')
      if (!to || to === from) return
      if (!ALLOWED[from]?.includes(to)) {
        context.report({
          node,
          message: `Layer '${from}' must not import from '${to}' (docs/architecture.md: ${from} may use ${ALLOWED[from]?.join(', ')}).`
        })
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          check(node, node.arguments[0].value)
        }
      }
    }
  }
}
