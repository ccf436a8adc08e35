/**
 * The fuel profiler end to end (runtime/site/fuelbook_profile.py through the kernel): where a hot
 * loop's fuel goes, the same profile every run, nothing run when off, the budget stop, and the
 * command line's table.
 */
import { describe, expect, it } from 'vitest'
import type { Kernel } from '../../src/main/kernel'
import { runPython } from '../../src/main/library'
import { cellLineFuel, encodeFuelProfile } from '../../src/shared/fuel-profile'
import { cli } from './cli-helpers'
import { LIMITS, textOf, useTestHost } from '../helpers/kernel-host'

const host = useTestHost()

const HOT_LOOP = [
  'def total(n):',
  '    s = 0',
  '    for i in range(n):',
  '        s += i * i',
  '    return s',
  '',
  'data = list(range(10))',
  'print(total(50_000))'
].join('\n')

const profiled = (code: string, fuel = LIMITS.fuel) =>
  runPython(code, { host: host(), profile: true, deterministic: true, fuel })

describe('fuel profile', () => {
  it('puts a hot loop’s fuel on the loop’s lines', async () => {
    const r = await profiled(HOT_LOOP)
    expect(r.status).toBe('ok')
    expect(r.stdout).toBe('41665416675000\n')
    const profile = r.profile!
    const byLine = cellLineFuel(profile)
    const loop = (byLine.get(3) ?? 0) + (byLine.get(4) ?? 0)
    expect(loop / profile.totalFuel).toBeGreaterThanOrEqual(0.9)
    expect(profile.lines[0]).toMatchObject({ file: profile.cellFile, line: 4 })
    const total = profile.functions.find((f) => f.name === 'total')!
    expect(total).toMatchObject({ file: profile.cellFile, firstLine: 1, calls: 1 })
    expect(total.selfFuel).toBe(total.totalFuel)
    const module = profile.functions.find((f) => f.name === '<module>')!
    expect(module.totalFuel).toBeGreaterThanOrEqual(total.totalFuel)
    expect(profile.overheadFuel).toBeGreaterThan(0)
    expect(profile.budgetReached).toBe(false)
  })

  it('gives the same profile, byte for byte, on every run', async () => {
    const [a, b] = [await profiled(HOT_LOOP), await profiled(HOT_LOOP)]
    expect(encodeFuelProfile(b.profile!)).toBe(encodeFuelProfile(a.profile!))
    expect(b.fuelConsumed).toBe(a.fuelConsumed)
  })

  it('runs none of the profiler when off', async () => {
    const code = 'import sys\nprint(sys.gettrace(), "fuelbook_profile" in sys.modules)'
    const r = await runPython(code, { host: host(), deterministic: true })
    expect(r.stdout).toBe('None False\n')
    expect(r.profile).toBeNull()
  })

  it('attributes functions by name, with self and total and recursion counted once', async () => {
    const code = ['def fib(n):', '    return n if n < 2 else fib(n - 1) + fib(n - 2)', '', 'fib(12)'].join(
      '\n'
    )
    const profile = (await profiled(code)).profile!
    const fib = profile.functions.find((f) => f.name === 'fib')!
    expect(fib.calls).toBe(465)
    expect(fib.totalFuel).toBe(fib.selfFuel)
    expect(fib.totalFuel).toBeLessThanOrEqual(profile.totalFuel)
  })

  it('stops the profiled code at its budget and still reports where the fuel went', async () => {
    const r = await profiled('x = 0\nwhile True:\n    x += 1', 5_000_000)
    expect(r.status).toBe('out_of_fuel')
    expect(r.message).toContain('profiled')
    const profile = r.profile!
    expect(profile.budgetReached).toBe(true)
    expect(profile.totalFuel).toBeGreaterThanOrEqual(5_000_000)
    const byLine = cellLineFuel(profile)
    expect(((byLine.get(2) ?? 0) + (byLine.get(3) ?? 0)) / profile.totalFuel).toBeGreaterThanOrEqual(0.9)
  })

  it('leaves a kernel’s head as an unprofiled run would', async () => {
    const kernel: Kernel = host().createKernel()
    try {
      const r = await kernel.run('y = 41', { limits: LIMITS, profile: true })
      expect(r.status).toBe('ok')
      expect(r.profile).not.toBeNull()
      const next = await kernel.run('print(y + 1)', { limits: LIMITS })
      expect(textOf(next.outputs)).toBe('42\n')
      expect(next.profile).toBeNull()
    } finally {
      await kernel.dispose()
    }
  })
})

describe('fuelbook exec --profile', () => {
  it('prints the costliest lines and functions after the run’s facts', async () => {
    const r = await cli(['exec', '--profile', '-c', HOT_LOOP])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('41665416675000')
    expect(r.stdout).toMatch(/fuel profile: \d+ fuel in the profiled code, \d+ spent by the profiler/)
    expect(r.stdout).toMatch(/^cell line 4 +\d+ +9\d\.\d%$/m)
    expect(r.stdout).toMatch(/^total \(cell line 1\) +\d+ +\d+ +\d+\.\d% +1$/m)
  })

  it('puts the profile in --json', async () => {
    const r = await cli(['exec', '--profile', '--json', '-c', 'x = 1'])
    const result = JSON.parse(r.stdout) as { profile: { lines: unknown[] } | null }
    expect(result.profile?.lines.length).toBeGreaterThan(0)
  })
})

describe('%%fuelprof', () => {
  it('profiles the cell’s body: the profile with the run, its table in the output', async () => {
    const code = [
      '%%fuelprof',
      'total = 0',
      'for i in range(2_000):',
      '    total += i * i',
      'print(total)'
    ].join('\n')
    const r = await runPython(code, { host: host(), deterministic: true })
    expect(r.status, JSON.stringify(r.outputs)).toBe('ok')
    expect(r.stdout).toContain('2664667000\n')
    expect(r.stdout).toMatch(/^Fuel profile: [\d,]+ fuel in the profiled code/m)
    expect(r.stdout).toMatch(/^ {2}line 4 +[\d,]+ +\d+\.\d%$/m)
    const byLine = cellLineFuel(r.profile!)
    expect(((byLine.get(3) ?? 0) + (byLine.get(4) ?? 0)) / r.profile!.totalFuel).toBeGreaterThanOrEqual(0.9)
  })
})
