/**
 * CPython's own stdlib tests (Debian's libpython3.11-testsuite) as a compatibility suite: each
 * module runs with unittest_runner.py natively (/usr/bin/python3.11) and inside the sandbox, where
 * Lib/test/support and the module's files are copied into the sandbox's file system first.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureNativeTestsuite, NATIVE_STDLIB } from './native-python'
import type { CompatModule, CompatSuite } from './suite'

const RUNNER = readFileSync(join(__dirname, 'unittest_runner.py'), 'utf8')

/**
 * The modules of the full table. `quick` ones also run in `npm test`, about a minute together
 * (test_zipfile, ~75 s on its own, stays out). The first seven are the ones the runtime must pass
 * as natively (docs/compatibility.md). test_tomllib is not among them: Debian's
 * libpython3.11-testsuite does not ship it.
 */
const MODULES: CompatModule[] = [
  { name: 'test_csv', quick: true },
  {
    name: 'test_zipfile',
    data: ['zipdir.zip', 'ziptestdata', 'testtar.tar', 'zip_cp437_header.zip']
  },
  { name: 'test_decimal', data: ['decimaltestdata'] },
  { name: 'test_io' },
  { name: 'test_pathlib' },
  { name: 'test_tempfile' },
  { name: 'test_shutil' },
  // Everyday modules, fast inside too.
  { name: 'test_bisect', quick: true },
  { name: 'test_textwrap', quick: true },
  { name: 'test_string', quick: true },
  { name: 'test_fnmatch', quick: true },
  { name: 'test_base64', quick: true },
  { name: 'test_glob', quick: true },
  { name: 'test_json' },
  { name: 'test_re', quick: true, data: ['re_tests.py'] },
  { name: 'test_datetime', quick: true, data: ['datetimetester.py'] },
  { name: 'test_collections' },
  { name: 'test_itertools' },
  { name: 'test_functools' },
  { name: 'test_operator' },
  { name: 'test_math', data: ['ieee754.txt', 'math_testcases.txt', 'cmath_testcases.txt'] },
  { name: 'test_statistics' },
  { name: 'test_fractions', quick: true },
  { name: 'test_random', data: ['randv2_32.pck', 'randv2_64.pck', 'randv3.pck'] },
  { name: 'test_difflib', data: ['test_difflib_expect.html'] },
  { name: 'test_heapq' },
  { name: 'test_binascii' },
  { name: 'test_hashlib' },
  { name: 'test_hmac' },
  { name: 'test_struct' },
  { name: 'test_array' },
  { name: 'test_copy' },
  { name: 'test_pickle', data: ['pickletester.py'] },
  { name: 'test_pprint', data: ['test_set.py'] },
  { name: 'test_enum' },
  {
    name: 'test_dataclasses',
    data: [
      'dataclass_module_1.py',
      'dataclass_module_1_str.py',
      'dataclass_module_2.py',
      'dataclass_module_2_str.py',
      'dataclass_textanno.py'
    ]
  },
  {
    name: 'test_typing',
    data: [
      'typinganndata',
      'mod_generics_cache.py',
      '_typed_dict_helper.py',
      'ann_module.py',
      'ann_module2.py',
      'ann_module3.py',
      'ann_module4.py',
      'ann_module5.py',
      'ann_module6.py',
      'ann_module7.py',
      'ann_module8.py'
    ]
  },
  { name: 'test_contextlib', data: ['data', 'ziptestdata'] },
  { name: 'test_ast' },
  {
    name: 'test_tokenize',
    rules: [
      {
        test: /test_random_files/,
        why: "the test tokenizes 10 random files of the whole Lib/test folder; the harness copies only this module's files into the sandbox"
      }
    ],
    data: [
      'test_grammar.py',
      'ann_module.py',
      'ann_module2.py',
      'tokenize_tests.txt',
      'tokenize_tests-latin1-coding-cookie-and-utf8-bom-sig.txt',
      'tokenize_tests-no-coding-cookie-and-utf8-bom-sig-only.txt',
      'tokenize_tests-utf8-coding-cookie-and-no-utf8-bom-sig.txt',
      'tokenize_tests-utf8-coding-cookie-and-utf8-bom-sig.txt',
      'bad_coding.py',
      'bad_coding2.py'
    ]
  },
  { name: 'test_unicodedata' },
  { name: 'test_codecs' },
  { name: 'test_gzip' },
  // BZ2Test.BIG_TEXT is the first 128 KiB of Lib/test/*.py: with test_bz2.py alone it is mostly
  // zeros, which compress so well that testDecompressorChunksMaxsize's cut lands past the data.
  { name: 'test_bz2', data: ['test_descr.py'] },
  { name: 'test_lzma' },
  { name: 'test_zlib' },
  {
    name: 'test_tarfile',
    data: [
      'testtar.tar',
      'testtar.tar.xz',
      'recursion.tar',
      'tokenize_tests.txt',
      'tokenize_tests-no-coding-cookie-and-utf8-bom-sig-only.txt'
    ]
  },
  { name: 'test_configparser', data: ['cfgparser.1', 'cfgparser.2', 'cfgparser.3'] },
  { name: 'test_argparse' },
  { name: 'test_calendar' },
  { name: 'test_time' },
  { name: 'test_zoneinfo' },
  { name: 'test_uuid' },
  { name: 'test_posixpath', data: ['test_genericpath.py'] },
  { name: 'test_genericpath' },
  { name: 'test_fileinput' },
  { name: 'test_filecmp' },
  { name: 'test_html' },
  { name: 'test_htmlparser' },
  { name: 'test_urlparse' },
  { name: 'test_weakref', data: ['mapping_tests.py'] },
  { name: 'test_shlex' },
  { name: 'test_ipaddress' },
  { name: 'test_graphlib' },
  { name: 'test_plistlib' }
]

export const STDLIB_SUITE: CompatSuite = {
  id: 'stdlib',
  title: "CPython's stdlib tests",
  description:
    "Modules of CPython's own test suite (Debian's `libpython3.11-testsuite`, 3.11.2), each run by `test/compat/unittest_runner.py` natively with `/usr/bin/python3.11` (as an unprivileged user) and inside the sandbox, with resources disabled as in a plain `regrtest` run. Inside, `Lib/test/support` and the module's files are copied into the sandbox's file system before the module runs.",
  sourceRoot: NATIVE_STDLIB,
  modules: MODULES,
  ensure: ensureNativeTestsuite,
  files: (module) => [
    'test/__init__.py',
    'test/support',
    `test/${module.name}`,
    ...(module.data ?? []).map((d) => `test/${d}`)
  ],
  runner: (module, lib, workdir) =>
    `MODULE = ${JSON.stringify(module.name)}\nLIB = ${lib === null ? 'None' : JSON.stringify(lib)}\nWORKDIR = ${JSON.stringify(workdir)}\n${RUNNER}`,
  rules: [
    {
      detail: /subprocess|fork|spawn|multiprocessing/i,
      sandbox: ['skip'],
      why: 'no processes in the sandbox'
    },
    { detail: /thread/i, sandbox: ['skip'], why: 'no threads in the sandbox' },
    { detail: /socket|network|requires.*net/i, sandbox: ['skip'], why: 'no network in the sandbox' },
    {
      detail: /symlink|symbolic link/i,
      sandbox: ['skip'],
      why: 'no symbolic links in the sandbox file system'
    },
    { detail: /\bWASI\b|wasi/, sandbox: ['skip'], why: "skipped on WASI by CPython's own tests" },
    { detail: /signal/i, sandbox: ['skip'], why: 'no signals in the sandbox' },
    {
      detail: /working os\.chmod|set the (directory|file) read-only/,
      sandbox: ['skip'],
      why: "WASI has no os.chown, so test.support's can_chmod() answers no and CPython's tests skip what needs chmod (the sandbox keeps and enforces permission bits: test/integration/permission-bits.test.ts)"
    },
    { detail: /\b(pwd|grp)\b/, sandbox: ['skip'], why: 'no user accounts (no pwd/grp modules on WASI)' },
    { detail: /os\.chown/, sandbox: ['skip'], why: 'no user accounts: WASI has no os.chown' },
    { detail: /umask/, sandbox: ['skip'], why: 'WASI has no os.umask' },
    { detail: /clock_settime/, sandbox: ['skip'], why: 'WASI cannot set clocks (no time.clock_settime)' },
    {
      detail: /_hashlib|OpenSSL|_hashopenssl/,
      sandbox: ['skip'],
      why: "no OpenSSL in the runtime: hashlib and hmac use CPython's built-in hashes (no _hashlib, no scrypt)"
    },
    {
      detail: /requires the C _uuid module/,
      sandbox: ['skip'],
      why: 'no _uuid C module (libuuid is not built for WASI): uuid runs its pure-Python code, which these tests do too'
    },
    {
      detail: /Test needs Numpy/,
      sandbox: ['skip'],
      why: 'numpy is installed natively (Debian), not in the runtime'
    },
    {
      detail: /only meaningful on 32-bit builds|requires 64bit platform/,
      why: 'wasm32 is a 32-bit platform: tests for 32-bit builds run inside, tests that need a 64-bit one skip'
    },
    {
      detail: /Turkish locale|en_US locale|locale\.LC_ALL to fr_FR/,
      native: ['skip'],
      sandbox: ['pass'],
      why: "the native machine has no such locale installed, so the test skips there; wasi-libc's setlocale accepts any locale name (UTF-8 only) and the test runs"
    },
    {
      detail: /bug in glibc/,
      native: ['skip'],
      sandbox: ['pass'],
      why: 'skipped on glibc for a glibc bug; the runtime has wasi-libc, so the test runs (and passes)'
    },
    {
      test: /test_link_size|test_add_hardlink/,
      sandbox: ['fail'],
      why: "the sandbox's file system keeps no link count (st_nlink is 1 for a hard-linked file, see File semantics below), so tarfile stores a second hard link as a regular file"
    },
    {
      detail: /\/dev\/null|mkfifo|mknod/,
      sandbox: ['skip'],
      why: 'no device files or FIFOs in the sandbox file system'
    },
    {
      // test.support's requires_legacy_unicode_capi() asks _testcapi; a few tests import it bare.
      detail: /_testcapi|_testinternalcapi|legacy Unicode C API/,
      sandbox: ['skip', 'error'],
      why: "the runtime is built without CPython's test-only C modules (--disable-test-modules)"
    },
    {
      detail: /requires os\.pipe\(\)/,
      sandbox: ['skip'],
      why: 'no pipes in the sandbox (WASI preview 1 has no pipe call, so os.pipe does not exist)'
    },
    {
      detail: /sys\.executable required/,
      sandbox: ['skip'],
      why: 'no processes in the sandbox (sys.executable is empty: there is no interpreter to start)'
    },
    {
      detail: /utf-8 mode is enabled/,
      sandbox: ['skip'],
      why: "the runtime runs in Python's UTF-8 mode (WASI has no locales, so text defaults to UTF-8): tests of the locale's own encoding skip"
    },
    {
      detail: /tzset required|no attribute tzset/,
      sandbox: ['skip'],
      why: 'no time.tzset on WASI (wasi-libc has no TZ handling): tests that switch the local time zone skip'
    },
    {
      detail: /\/usr\/share\/zoneinfo/,
      sandbox: ['skip'],
      why: "no system time zone folder in the sandbox: zoneinfo reads the runtime's bundled tzdata package, tests that open /usr/share/zoneinfo's files skip"
    },
    {
      test: /test_large_file_ops/,
      detail: /No space left on device/,
      why: "the sandbox's files live in memory without sparse regions: seeking to 2 GiB and writing takes 2 GiB of the run's file-system limit"
    },
    {
      detail: /Need the \w+ command|^requires (ifconfig|ip)$/,
      sandbox: ['skip'],
      why: 'no processes in the sandbox (no external commands)'
    },
    { detail: /sendfile|disk_usage not available/, sandbox: ['skip'], why: 'no sendfile/statvfs in WASI' },
    {
      detail: /python311\.zip/,
      why: "the stdlib is a zip file inside the sandbox (/usr/local/lib/python311.zip), not a folder: tests that walk Lib/'s files cannot"
    },
    {
      test: /rmtree_with_dir_fd/,
      detail: /dir_fd is (not )?supported/,
      why: "shutil.rmtree's fd-based variant needs os.open(dir_fd=) and os.scandir(fd), which WASI's CPython lacks"
    }
  ]
}
