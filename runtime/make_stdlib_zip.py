"""Writes the runtime's stdlib zip (mounted read-only at /usr/local/lib/python311.zip).

Same selection as CPython's `make wasm_stdlib` (Tools/wasm/wasm_assets.py: its omit lists and
its detection of the modules configure disabled), with these differences:
- every .pyc is compiled for its runtime path, /usr/local/lib/python3.11/<file>.py, so
  tracebacks through the stdlib show runtime paths, not the build machine's;
- the .py source sits beside each .pyc, so that linecache (tracebacks) and inspect.getsource
  find it through zipimport's get_source; the .pyc are unchecked hash-based, so importing never
  reads or compares the source (a timestamp .pyc would be judged stale against the zip entry's
  date and recompiled from source);
- modules a user may import are kept where wasm_assets leaves them out (KEEP below);
- rlcompleter is kept (the driver's completion uses it; wasm_assets drops it without readline);
- the cell driver (fuelbook_driver.pyc) is added at the top level, and every file under
  runtime/site/ (--site) at its relative path, .py as .pyc + source like the stdlib;
- Debian's time zone files are added as a `tzdata` package that zoneinfo finds like PyPI's
  tzdata (where it looks when no system zoneinfo folder exists), packed into one blob so that
  the zip's directory, which zipimport reads at every start, stays small
  (runtime/tzdata_package.py);
- _sysconfigdata's configure paths name the build folder as /build (SYSCONFIG_BUILD_ROOT) and
  this checkout as /fuelbook (SYSCONFIG_CHECKOUT_ROOT: the PGO flags name its profile), and
  entries are sorted with fixed timestamps, so the same inputs give the same zip wherever the
  build tree and the checkout are (BUILD_DIR). _sysconfigdata is rewritten from its values, not edited as text:
  sysconfig wrote it with pprint, whose line wrapping depends on the length of the paths.

Run with the build python (same 3.11 bytecode as the runtime) from the CPython build tree.
"""
import _imp
import argparse
import ast
import collections
import importlib._bootstrap_external as bootstrap_external
import os
import pathlib
import pprint
import sys
import zipfile

RUNTIME_LIB = "/usr/local/lib/python3.11"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Left out by wasm_assets, kept here because a user's code (or CPython's own tests) imports them;
# resources/python/README.md lists what stays out and why.
KEEP = (
    "_pydecimal.py",  # decimal's pure-Python twin: test_decimal, and code that asks for it
    "_pyio.py",  # io's pure-Python twin: test_io, and code that asks for it
    "concurrent/futures/thread.py",  # ThreadPoolExecutor imports; submit() says "no threads"
    "asyncore.py",  # deprecated in 3.11, still importable on every other 3.11
    "asynchat.py",
    "uu.py",
    "xdrlib.py",
    "webbrowser.py",  # webbrowser.open() answers False: no browser to start
    "antigravity.py",
    "pydoc_data/",  # help("keywords"), help("if"): pydoc's topic texts
    "distutils/",  # deprecated in 3.11; older notebooks import distutils.version
)
# What _sysconfigdata's paths (configure's, all in the build folder) say instead of that folder:
# the sandbox has no compiler to use them, and the zip should not depend on where it was built.
SYSCONFIG_BUILD_ROOT = "/build"
# ... and instead of this checkout's folder (the compile flags name runtime/pgo/python.profdata).
SYSCONFIG_CHECKOUT_ROOT = "/fuelbook"
# Inside the time zone folder: variants and tables that are not zones of their own.
TZ_SKIP_DIRS = {"posix", "right"}


def add(zf, name, data):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=9)


def pyc(source, runtime_path):
    code = compile(source, runtime_path, "exec", dont_inherit=True, optimize=0)
    source_hash = _imp.source_hash(bootstrap_external._RAW_MAGIC_NUMBER, source)
    return bytes(bootstrap_external._code_to_hash_pyc(code, source_hash, checked=False))


def module_entries(rel, source):
    """The zip entries of one module at `rel` (a .py path): its .pyc and its source."""
    return [(rel[:-3] + ".pyc", pyc(source, f"{RUNTIME_LIB}/{rel}")), (rel, source)]


def site_entries(site_dir):
    """Every file under runtime/site/ at its relative path; .py files as .pyc + source."""
    entries = []
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        data = path.read_bytes()
        entries.extend(module_entries(rel, data) if rel.endswith(".py") else [(rel, data)])
    return entries


def stdlib_files(srcdir):
    sys.path.insert(0, str(srcdir / "Tools" / "wasm"))
    import wasm_assets

    builddir = srcdir / (srcdir / "pybuilddir.txt").read_text().strip()
    (sysconfig_data,) = builddir.glob("_sysconfigdata__wasi_*.py")
    extmods = wasm_assets.detect_extension_modules(
        argparse.Namespace(buildroot=srcdir, sysconfig_data=sysconfig_data)
    )
    omit = [o for o in wasm_assets.OMIT_FILES if o not in KEEP] + list(wasm_assets.OMIT_SUBDIRS)
    for modname, files in wasm_assets.OMIT_MODULE_FILES.items():
        if modname == "readline":
            continue
        if not extmods.get(modname):
            omit.extend(files)
    lib = srcdir / "Lib"
    selected = []
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).as_posix()
        if "__pycache__" in rel or "/test/" in f"/{rel}" or "/tests/" in f"/{rel}":
            continue
        if any(rel == o or (o.endswith("/") and rel.startswith(o)) for o in omit):
            continue
        selected.append((rel, path))
    selected.append((sysconfig_data.name, sysconfig_data))
    missing = sorted(m for m, ok in extmods.items() if not ok)
    return selected, missing


def sysconfigdata_without_local_paths(source, build_root, checkout_root):
    """_sysconfigdata's text with `build_root` in its values replaced by /build and
    `checkout_root` by /fuelbook (the longer first, so one inside the other stays itself).

    Written as Lib/sysconfig.py's _generate_posix_vars writes it (a comment, then the dict by
    pprint), from the values after the replacement: replacing in the text would keep line breaks
    that pprint chose for the longer or shorter paths, so the file would depend on them.
    """
    tree = ast.parse(source)
    (assignment,) = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["build_time_vars"]
    ]
    build_time_vars = ast.literal_eval(assignment.value)
    roots = sorted(
        ((build_root, SYSCONFIG_BUILD_ROOT), (checkout_root, SYSCONFIG_CHECKOUT_ROOT)), key=lambda r: -len(r[0])
    )

    def neutral(value):
        for root, name in roots:
            value = value.replace(root, name)
        return value

    rewritten = {key: neutral(value) if isinstance(value, str) else value for key, value in build_time_vars.items()}
    return (
        "# system configuration generated and used by the sysconfig module\n"
        f"build_time_vars = {pprint.pformat(rewritten)}\n"
    ).encode()


def tzdata_files(zoneinfo_dir, version, package_source):
    """The tzdata package: runtime/tzdata_package.py + the zone files packed into one blob."""
    zones = []
    for root, dirs, names in os.walk(zoneinfo_dir):
        rel_root = pathlib.Path(root).relative_to(zoneinfo_dir).as_posix()
        if rel_root == ".":
            rel_root = ""
            dirs[:] = [d for d in dirs if d not in TZ_SKIP_DIRS]
        dirs.sort()
        for name in sorted(names):
            data = (pathlib.Path(root) / name).read_bytes()
            if not data.startswith(b"TZif") or name in {"localtime", "posixrules"}:
                continue
            zones.append((f"{rel_root}/{name}" if rel_root else name, data))
    zones.sort()
    blob, index, offset = [], [], 0
    for key, data in zones:
        index.append(f"{key} {offset} {len(data)}")
        blob.append(data)
        offset += len(data)
    init = package_source.read_text().replace("@IANA_VERSION@", version)
    out = [
        *module_entries("tzdata/__init__.py", init.encode()),
        ("tzdata/zoneinfo.bin", b"".join(blob)),
        ("tzdata/zoneinfo.idx", ("\n".join(index) + "\n").encode("ascii")),
        ("tzdata/zones", ("\n".join(key for key, _ in zones) + "\n").encode("ascii")),
    ]
    return out, len(zones)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--srcdir", type=pathlib.Path, required=True)
    parser.add_argument("--tzdata", type=pathlib.Path, required=True, help="a zoneinfo folder")
    parser.add_argument("--tzdata-version", required=True)
    parser.add_argument("--extra", type=pathlib.Path, action="append", default=[], help="top-level module")
    parser.add_argument("--site", type=pathlib.Path, help="a folder added at the zip's top level (runtime/site)")
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 11):
        sys.exit("make_stdlib_zip.py must run on Python 3.11 (the runtime's bytecode version)")

    selected, missing = stdlib_files(args.srcdir.resolve())
    tz_entries, zone_count = tzdata_files(
        args.tzdata, args.tzdata_version.split("-")[0], pathlib.Path(__file__).with_name("tzdata_package.py")
    )
    entries = []
    build_root = str(args.srcdir.resolve().parent)
    checkout_root = str(pathlib.Path(__file__).resolve().parent.parent)
    for rel, path in selected:
        data = path.read_bytes()
        if rel.startswith("_sysconfigdata_"):
            data = sysconfigdata_without_local_paths(data.decode(), build_root, checkout_root)
        entries.extend(module_entries(rel, data))
    for path in args.extra:
        entries.extend(module_entries(path.name, path.read_bytes()))
    site = site_entries(args.site) if args.site and args.site.is_dir() else []
    entries.extend(site)
    entries.extend(tz_entries)
    names = (name for name, _ in entries)
    clashes = sorted(name for name, count in collections.Counter(names).items() if count > 1)
    if clashes:
        sys.exit(f"make_stdlib_zip.py: these files would be in the zip twice: {', '.join(clashes)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in sorted(entries):
            add(zf, name, data)
    tmp.replace(args.out)
    print(
        f"{args.out}: {len(selected)} stdlib modules, {len(args.extra)} extra, {len(site)} site entries, "
        f"{zone_count} time zones, "
        f"{args.out.stat().st_size / 2**20:.2f} MiB; modules not built: {', '.join(missing)}"
    )


if __name__ == "__main__":
    main()
