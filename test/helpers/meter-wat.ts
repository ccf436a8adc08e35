/**
 * Test helpers for the fuel meter: WAT compilation with the npm `wabt` package, and an
 * *independent* naive oracle instrumenter that works on wabt's flat text output (one operator
 * per line) and charges every cost-1 operator one by one from a global — no code shared with
 * src/main/sandbox/meter.
 */
import wabtInit from 'wabt'

type Wabt = Awaited<ReturnType<typeof wabtInit>>
let wabtPromise: Promise<Wabt> | undefined
export function wabt(): Promise<Wabt> {
  wabtPromise ??= wabtInit()
  return wabtPromise
}

const FEATURES = {
  multi_value: true,
  sign_extension: true,
  sat_float_to_int: true,
  bulk_memory: true,
  reference_types: true,
  mutable_globals: true,
  exceptions: true
}

export async function wat(
  source: string,
  names = true,
  features: Record<string, boolean> = {}
): Promise<Uint8Array<ArrayBuffer>> {
  const w = await wabt()
  const m = w.parseWat('test.wat', source, { ...FEATURES, ...features })
  try {
    m.resolveNames()
    m.validate()
    // wabt's typings spell it writeDebugNames, but the binding reads write_debug_names
    return new Uint8Array(m.toBinary({ write_debug_names: names } as object).buffer)
  } finally {
    m.destroy()
  }
}

/** Flat text (one operator per line) of a binary module. */
export async function flatText(bytes: Uint8Array): Promise<string> {
  const w = await wabt()
  const m = w.readWasm(bytes, FEATURES)
  try {
    m.validate()
    return m.toText({ foldExprs: false, inlineExport: false })
  } finally {
    m.destroy()
  }
}

const FREE = new Set([
  'nop',
  'drop',
  'block',
  'loop',
  'unreachable',
  'return',
  'else',
  'end',
  // exception handling's structure markers cost 0 by the meter's model (its README)
  'try',
  'catch',
  'catch_all',
  'delegate'
])
const CHARGE1 = 'global.get $__fuel i64.const 1 i64.sub global.set $__fuel'
const CHECK = 'global.get $__fuel i64.const 0 i64.le_s if i32.const 1 global.set $__oof unreachable end'

function stripComments(line: string): string {
  return line.replace(/\(;.*?;\)/g, '').replace(/;;.*$/, '')
}
function balance(line: string): number {
  let b = 0
  for (const c of line) b += c === '(' ? 1 : c === ')' ? -1 : 0
  return b
}

/**
 * The oracle: wasmtime's rule written the dumbest possible way. Every function entry charges
 * `entryCost` and checks; every cost-1 operator is charged just before it runs; every loop header
 * checks. A check traps (after setting the `oracle_oof` flag) when the remaining fuel is ≤ 0.
 */
export async function oracleInstrument(bytes: Uint8Array, entryCost = 1): Promise<Uint8Array<ArrayBuffer>> {
  const text = await flatText(bytes)
  const lines = text.split('\n')
  const out: string[] = []
  const entry = `global.get $__fuel i64.const ${entryCost} i64.sub global.set $__fuel ${CHECK}`
  let inFunc = false
  let depth = 0 // paren balance inside the current func
  let header = false
  for (const raw of lines) {
    const line = stripComments(raw).trim()
    if (!inFunc && line.startsWith('(func')) {
      const b = balance(line)
      if (b <= 0) {
        // an empty function on one line: "(func (;0;) (type 0))"
        out.push(raw.replace(/\)\s*$/, '') + '\n' + entry + ')')
        continue
      }
      inFunc = true
      depth = b
      header = true
      out.push(raw)
      continue
    }
    if (!inFunc) {
      out.push(raw)
      continue
    }
    if (header && line.startsWith('(local')) {
      out.push(raw)
      depth += balance(line)
      continue
    }
    if (header) {
      out.push(entry)
      header = false
    }
    const op = line.replace(/\)+$/, '').trim().split(/\s+/)[0] ?? ''
    if (op && !FREE.has(op)) out.push(CHARGE1)
    out.push(raw)
    if (op === 'loop') out.push(CHECK)
    depth += balance(line)
    if (depth <= 0) inFunc = false
  }
  // The module's closing parenthesis ends the last line: the oracle's globals go just before it,
  // after every existing global, so no global index moves.
  const src = out.join('\n').trimEnd()
  if (!src.endsWith(')')) throw new Error('oracle: could not find the end of the module')
  const globals =
    '(global $__fuel (export "oracle_fuel") (mut i64) (i64.const 0))\n(global $__oof (export "oracle_oof") (mut i32) (i32.const 0))'
  return wat(`${src.slice(0, -1)}\n${globals})`, false)
}

/** Small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Random structured programs: functions `(param depth i32) (param x i32) (result i32)` with
 * blocks, bounded loops, if/else, br/br_if/br_table to random enclosing labels (values included),
 * early returns, direct, indirect and bounded recursive calls, memory, sign extension, saturating
 * truncation, bulk memory, typed select, dead code after branches. Always terminates.
 *
 * With `exceptions`, also: two tags (`0` carries an i32, `1` nothing), conditional and
 * unconditional `throw`s in any function (so exceptions cross several frames of direct, indirect
 * and recursive calls), `try` statements and expressions with `catch`, `catch_all`, neither, or
 * `delegate` to a random enclosing label, and `rethrow` from catch clauses; the export `run` wraps
 * function 0 in a `catch_all`, so every run returns.
 */
export function randomProgram(seed: number, exceptions = false): string {
  const rnd = prng(seed)
  const int = (n: number): number => Math.floor(rnd() * n)
  const pick = <T>(xs: T[]): T => xs[int(xs.length)]!
  const FUNCS = 1 + int(4)
  const funcs: string[] = []
  for (let fi = 0; fi < FUNCS; fi++) {
    let budget = 60 // operators-ish per function, keeps programs small
    let loopVar = 0
    // labels: stack of label kinds from outermost (function) to innermost; 'v' labels take an i32
    const expr = (labels: string[], d: number): string => {
      budget--
      const r = int(d > 2 || budget < 0 ? 3 : exceptions ? 17 : 16)
      switch (r) {
        case 16: {
          // try-expression: the i32 tag's value is added to, the other tags give a fresh value
          const body = [...labels, 'v']
          const clause = [...labels, 'cv']
          return `try (result i32)\n${stmts(body, d + 1, 2)}\n${expr(body, d + 1)}\ncatch 0\n${stmts(clause, d + 1, 1)}\n${expr(clause, d + 1)}\ni32.add\ncatch_all\n${stmts(clause, d + 1, 1)}\n${expr(clause, d + 1)}\nend`
        }
        case 0:
          return `i32.const ${int(100) - 50}`
        case 1:
          return `local.get ${int(4)}`
        case 2:
          return `local.get 1`
        case 3:
          return `${expr(labels, d + 1)}\n${expr(labels, d + 1)}\n${pick(['i32.add', 'i32.sub', 'i32.mul', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.shr_u', 'i32.rotl', 'i32.lt_s', 'i32.eq'])}`
        case 4:
          return `${expr(labels, d + 1)}\n${expr(labels, d + 1)}\ni32.const 1\ni32.or\ni32.div_u`
        case 5:
          return `${expr(labels, d + 1)}\n${pick(['i32.eqz', 'i32.extend8_s', 'i32.extend16_s', 'i32.popcnt', 'i32.clz'])}`
        case 6:
          return `${expr(labels, d + 1)}\ni64.extend_i32_s\ni64.const -9223372036854775808\ni64.xor\ni64.extend32_s\ni32.wrap_i64`
        case 7:
          return `${expr(labels, d + 1)}\nf32.convert_i32_s\nf32.const 1.5\nf32.mul\ni32.trunc_sat_f32_s`
        case 8:
          return `${expr(labels, d + 1)}\n${expr(labels, d + 1)}\n${expr(labels, d + 1)}\n${rnd() < 0.5 ? 'select' : 'select (result i32)'}`
        case 9:
          return `${expr(labels, d + 1)}\ni32.const 1020\ni32.and\ni32.load offset=4 align=${pick([1, 2, 4])}`
        case 10: {
          // if-expression
          const inner = [...labels, 'v']
          return `${expr(labels, d + 1)}\nif (result i32)\n${stmts(inner, d + 1, 2)}\n${expr(inner, d + 1)}\nelse\n${expr(inner, d + 1)}\nend`
        }
        case 11: {
          // block with a value-carrying br_if
          const inner = [...labels, 'v']
          return `block (result i32)\n${expr(inner, d + 1)}\n${expr(inner, d + 1)}\nbr_if 0\ndrop\n${stmts(inner, d + 1, 2)}\n${expr(inner, d + 1)}\nend`
        }
        case 12:
        case 13: {
          // call a later function, an indirect one, or recurse with a smaller depth
          const targets: number[] = []
          for (let j = fi + 1; j < FUNCS; j++) targets.push(j)
          if (targets.length && rnd() < 0.6) {
            const j = pick(targets)
            const args = `local.get 0\ni32.const 1\ni32.sub\n${expr(labels, d + 1)}`
            return rnd() < 0.5 ? `${args}\ncall ${j}` : `${args}\ni32.const ${j}\ncall_indirect (type 0)`
          }
          return `local.get 0\ni32.const 0\ni32.gt_s\nif (result i32)\nlocal.get 0\ni32.const 1\ni32.sub\n${expr([...labels, 'v'], d + 1)}\ncall ${fi}\nelse\ni32.const 3\nend`
        }
        case 14:
          return `i32.const 0\nmemory.grow\ndrop\nmemory.size`
        default:
          return `${expr(labels, d + 1)}\nlocal.tee ${2 + int(2)}`
      }
    }
    // a branch from inside `labels` to a random enclosing label, with its value if needed
    const branch = (labels: string[], d: number): string => {
      const depth = int(labels.length)
      const kind = labels[labels.length - 1 - depth]!
      const value = kind.endsWith('v') ? `${expr(labels, d + 1)}\n` : ''
      const r = int(3)
      if (r === 0) return `${value}br ${depth}\n${rnd() < 0.5 ? 'i32.const 9\ndrop\nunreachable' : 'nop'}`
      if (r === 1)
        return `${value}${expr(labels, d + 1)}\nbr_if ${depth}${kind.endsWith('v') ? '\ndrop' : ''}`
      // br_table: all targets must agree on arity
      const same: number[] = []
      labels.forEach((k, i) => {
        if (k === kind) same.push(labels.length - 1 - i)
      })
      const ts = Array.from({ length: 1 + int(3) }, () => pick(same))
      return `${value}${expr(labels, d + 1)}\nbr_table ${ts.join(' ')} ${pick(same)}`
    }
    const stmt = (labels: string[], d: number): string => {
      budget--
      const r = int(d > 3 || budget < 0 ? 3 : exceptions ? 15 : 12)
      switch (r) {
        case 12: {
          // a throw, mostly conditional; dead code may follow an unconditional one
          const tag = int(2)
          const raise = (at: string[]): string => `${tag === 0 ? `${expr(at, d)}\n` : ''}throw ${tag}`
          if (rnd() < 0.2) return `${raise(labels)}\n${rnd() < 0.5 ? 'i32.const 9\ndrop' : 'nop'}`
          return `${expr(labels, d)}\ni32.const 3\ni32.and\ni32.eqz\nif\n${raise([...labels, 'e'])}\nend`
        }
        case 13:
        case 14: {
          // a try statement: handlers for some tags, catch_all, none, or delegate
          let s = `try\n${stmts([...labels, 'e'], d + 1, 3)}\n`
          const form = int(5)
          if (form === 0) return `${s}delegate ${int(labels.length)}`
          const clause = [...labels, 'c']
          const rethrow = (): string =>
            rnd() < 0.3 ? `\nlocal.get 1\ni32.const 1\ni32.and\nif\nrethrow 1\nend` : ''
          if (form & 1) s += `catch 0\nlocal.set ${2 + int(2)}\n${stmts(clause, d + 1, 2)}${rethrow()}\n`
          if (form & 2) s += `catch 1\n${stmts(clause, d + 1, 2)}${rethrow()}\n`
          if (form >= 3) s += `catch_all\n${stmts(clause, d + 1, 2)}${rethrow()}\n`
          return `${s}end`
        }
        case 0:
          return `${expr(labels, d)}\nlocal.set ${2 + int(2)}`
        case 1:
          return `${expr(labels, d)}\ni32.const 1020\ni32.and\n${expr(labels, d)}\ni32.store offset=4`
        case 2:
          return `${expr(labels, d)}\ndrop`
        case 3:
          return `block\n${stmts([...labels, 'e'], d + 1, 3)}\nend`
        case 4:
          return `${expr(labels, d)}\nif\n${stmts([...labels, 'e'], d + 1, 2)}\nelse\n${stmts([...labels, 'e'], d + 1, 2)}\nend`
        case 5:
          return `${expr(labels, d)}\nif\n${stmts([...labels, 'e'], d + 1, 2)}\nend`
        case 6:
        case 7: {
          if (loopVar >= 3) return 'nop'
          const c = 4 + loopVar++
          const inner = [...labels, 'e', 'e'] // block (break), loop (continue)
          return `i32.const ${int(4)}\nlocal.set ${c}\nblock\nloop\nlocal.get ${c}\ni32.eqz\nbr_if 1\nlocal.get ${c}\ni32.const 1\ni32.sub\nlocal.set ${c}\n${stmts(inner, d + 1, 3)}\nbr 0\nend\nend`
        }
        case 8:
        case 9:
          return branch(labels, d)
        case 10:
          return `${expr(labels, d)}\nreturn`
        default:
          return `i32.const ${int(64)}\ni32.const ${int(256)}\ni32.const ${int(64)}\n${rnd() < 0.5 ? 'memory.fill' : 'memory.copy'}`
      }
    }
    const stmts = (labels: string[], d: number, max: number): string =>
      Array.from({ length: int(max + 1) }, () => stmt(labels, d)).join('\n')
    const body = `${stmts(['v'], 0, 4)}\n${expr(['v'], 0)}`
    funcs.push(`(func (type 0) (param i32 i32) (result i32) (local i32 i32 i32 i32 i32)\n${body})`)
  }
  const elems = Array.from({ length: FUNCS }, (_, i) => i).join(' ')
  if (!exceptions) {
    return `(module
  (type (func (param i32 i32) (result i32)))
  (memory 1 4)
  (table ${FUNCS} funcref)
  (elem (i32.const 0) func ${elems})
  (data (i32.const 16) "fuel")
  ${funcs.join('\n')}
  (export "run" (func 0)))`
  }
  return `(module
  (type (func (param i32 i32) (result i32)))
  (tag (param i32))
  (tag)
  (memory 1 4)
  (table ${FUNCS} funcref)
  (elem (i32.const 0) func ${elems})
  (data (i32.const 16) "fuel")
  ${funcs.join('\n')}
  (func (export "run") (param i32 i32) (result i32)
    try (result i32)
      local.get 0
      local.get 1
      call 0
    catch 0
      i32.const 1000
      i32.add
    catch_all
      i32.const -1000
    end))`
}
