/**
 * Where the sandbox's file calls still answer differently from native Linux, and why. Checked
 * case by case by test/integration/wasi-errno.test.ts and listed in docs/compatibility.md.
 * `native` / `sandbox`: what test/fixtures/compat/wasi-errno-cases.py prints for the case.
 */
export interface FileSemanticsDifference {
  case: string
  native: string
  sandbox: string
  why: string
}

export const FILE_SEMANTICS_DIFFERENCES: readonly FileSemanticsDifference[] = [
  {
    case: 'open empty path',
    native: 'ENOENT',
    sandbox: 'ok',
    why: 'wasi-libc resolves "" against the working directory before the host sees it, so the host is asked to open the working directory itself.'
  },
  {
    case: 'rmdir dot',
    native: 'EINVAL',
    sandbox: 'ENOTEMPTY',
    why: 'wasi-libc drops the trailing "." before the host sees it, so the host is asked to remove the working directory itself.'
  },
  {
    case: 'stat nlink after link',
    native: 'ok',
    sandbox: 'AssertionError',
    why: 'the in-memory file system keeps no link count: a hard-linked file reports st_nlink 1.'
  },
  {
    case: 'symlink new name',
    native: 'ok',
    sandbox: 'ENOTSUP',
    why: 'the sandbox file system has no symbolic links (readlink and lstat behave as on a tree without any).'
  },
  {
    case: 'get_clock_info thread_time',
    native: 'ok',
    sandbox: 'ValueError',
    why: 'the runtime has no time.thread_time (its wasi-libc has no per-thread CPU clock), so get_clock_info does not know the name.'
  }
]
