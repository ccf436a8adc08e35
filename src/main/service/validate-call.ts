/**
 * Validation of every call that crosses a process boundary (Electron IPC, WebSocket). The renderer is
 * treated as untrusted: a malformed payload is refused with a message, never passed to the service.
 * The schema table is typed against NotebookApi, so a signature change that is not mirrored here fails
 * to compile.
 */
import { z } from 'zod'
import { isApiMethod, type ApiMethod, type NotebookApi } from '../../shared/api'
import { fail, ok, type Result } from '../../shared/result'
import {
  DENSITIES,
  isFolderPath,
  isHttpUrl,
  OUTPUT_SCROLL_LINES_MAX,
  PACKAGES_MAX_MEGABYTES,
  SIDEBAR_WIDTH,
  THEMES
} from '../../shared/app-settings'

const path = z.string().min(1).max(4096)
const cellId = z.string().min(1).max(200)
const cellType = z.enum(['code', 'markdown', 'raw'])
const metadata = z.record(z.string(), z.unknown())
const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

const limits = z.object({
  fuel: positiveInt,
  memoryBytes: positiveInt,
  timeoutMs: positiveInt,
  outputBytes: positiveInt,
  fsBytes: positiveInt
})

const settings = z.object({ limits, deterministic: z.boolean() })

const schemas: { [K in ApiMethod]: z.ZodType<Parameters<NotebookApi[K]>> } = {
  getAppInfo: z.tuple([]),
  getAppSettings: z.tuple([]),
  setAppSettings: z.tuple([
    z.object({
      theme: z.enum(THEMES).optional(),
      density: z.enum(DENSITIES).optional(),
      outputScrollLines: z.number().int().min(0).max(OUTPUT_SCROLL_LINES_MAX).optional(),
      sidebarWidth: z.number().int().min(SIDEBAR_WIDTH.min).max(SIDEBAR_WIDTH.max).optional(),
      collapsedSections: z.array(z.string().max(40)).max(20).optional(),
      packageIndexUrl: z.string().max(2000).refine(isHttpUrl, 'an http(s) URL').optional(),
      packagesMaxMegabytes: z
        .number()
        .int()
        .min(PACKAGES_MAX_MEGABYTES.min)
        .max(PACKAGES_MAX_MEGABYTES.max)
        .optional(),
      lastFolder: z.string().refine(isFolderPath, 'a folder path').optional()
    })
  ]),
  listRecent: z.tuple([]),
  createNotebook: z.tuple([]),
  openNotebook: z.tuple([path]),
  saveNotebookAs: z.tuple([path, path]),
  closeNotebook: z.tuple([path]),
  setTitle: z.tuple([path, z.string().max(500)]),
  setSettings: z.tuple([path, settings]),
  insertCell: z.tuple([
    path,
    z.object({
      index: z.number().int().nonnegative().optional(),
      type: cellType,
      source: z.string().optional(),
      metadata: metadata.optional()
    })
  ]),
  updateCell: z.tuple([
    path,
    cellId,
    z.object({
      source: z.string().optional(),
      type: cellType.optional(),
      metadata: metadata.optional(),
      isolated: z.boolean().optional()
    })
  ]),
  deleteCell: z.tuple([path, cellId]),
  moveCell: z.tuple([path, cellId, z.number().int().nonnegative()]),
  runCells: z.tuple([
    path,
    z.array(cellId).max(100_000),
    z
      .object({
        limits: limits.partial().optional(),
        profile: z.boolean().optional(),
        stopOnError: z.boolean().optional()
      })
      .optional()
  ]),
  profileWithBudget: z.tuple([path, cellId, positiveInt]),
  interrupt: z.tuple([path]),
  restartKernel: z.tuple([path]),
  clearOutputs: z.tuple([path, z.array(cellId).optional()]),
  listRuns: z.tuple([path, cellId]),
  getRun: z.tuple([path, positiveInt]),
  variables: z.tuple([path]),
  complete: z.tuple([path, z.string(), z.number().int().nonnegative()]),
  inspect: z.tuple([path, z.string(), z.number().int().nonnegative(), z.boolean()]),
  exportNotebook: z.tuple([
    path,
    z.enum(['html', 'ipynb']),
    z
      .object({
        hideCode: z.boolean().optional(),
        hideStats: z.boolean().optional(),
        outputsOnly: z.boolean().optional()
      })
      .optional()
  ]),
  importIpynb: z.tuple([z.string(), z.string().min(1).max(500)]),
  listPackages: z.tuple([path]),
  installPackages: z.tuple([path, z.array(z.string().min(1).max(4096)).min(1).max(200)]),
  removePackages: z.tuple([path, z.array(z.string().min(1).max(200)).min(1).max(200)])
}

export type ValidatedCall = { [K in ApiMethod]: { method: K; args: Parameters<NotebookApi[K]> } }[ApiMethod]

export function validateCall(method: unknown, args: unknown): Result<ValidatedCall> {
  if (!isApiMethod(method)) return fail(`Unknown method: ${String(method).slice(0, 80)}`)
  // Trailing optional arguments may be sent as undefined (IPC) or dropped (JSON): normalise.
  const list = Array.isArray(args) ? [...args] : args
  if (Array.isArray(list)) while (list.length > 0 && list[list.length - 1] == null) list.pop()
  const parsed = schemas[method].safeParse(list)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at argument ${issue.path.join('.')}` : ''
    return fail(`Invalid call to ${method}${where}: ${issue?.message ?? 'bad arguments'}`)
  }
  return ok({ method, args: parsed.data } as ValidatedCall)
}

/** Calls the validated method on the API; one place where the dynamic dispatch happens. */
export function dispatchCall(api: NotebookApi, call: ValidatedCall): Promise<unknown> {
  const fn = api[call.method] as (...args: unknown[]) => Promise<unknown>
  return fn.apply(api, call.args)
}
