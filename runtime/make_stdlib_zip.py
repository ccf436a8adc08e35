"""Writes the runtime's stdlib zip (mounted read-only at /usr/local/lib/python311.zip).

Same selection as CPython's `make wasm_stdlib` (Tools/wasm/wasm_assets.py: its omit lists and
its detection of the modules configure disabled), with these differences:
- every .pyc is compiled for its runtime path, /usr/local/lib/python3.11/<file>.py, so
  tracebacks through the stdlib show runtime paths, not the build machine's;
- rlcompleter is kept (the driver's completion uses it; wasm_assets drops it without readline);
- the cell driver (fuelbook_driver.pyc) is added at the top level;
- Debian's time zone files are added as a `tzdata` package that zoneinfo finds like PyPI's
  tzdata (where it looks when no system zoneinfo folder exists), packed into one blob so that
  the zip's directory, which zipimport reads at every start, stays small
  (runtime/tzdata_package.py);
- entries are sorted with fixed timestamps, so the same inputs give the same zip.

Run with the build python (same 3.11 bytecode as the runtime) from the CPython build tree.
"""
import argparse
import importlib._bootstrap_external as bootstrap_external
import os
import pathlib
import sys
import zipfile

RUNTIME_LIB = "/usr/local/lib/python3.11"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Inside the time zone folder: variants and tables that are not zones of their own.
TZ_SKIP_DIRS = {"posix", "right"}


def add(zf, name, data):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=9)


def pyc(source, runtime_path):
    code = compile(source, runtime_path, "exec", dont_inherit=True, optimize=0)
    # Timestamp 0 / size 0: zipimport only compares them with a .py next to the .pyc, and the
    # zip holds none.
    return bytes(bootstrap_external._code_to_timestamp_pyc(code, 0, 0))


def stdlib_files(srcdir):
    sys.path.insert(0, str(srcdir / "Tools" / "wasm"))
    import wasm_assets

    builddir = srcdir / (srcdir / "pybuilddir.txt").read_text().strip()
    (sysconfig_data,) = builddir.glob("_sysconfigdata__wasi_*.py")
    extmods = wasm_assets.detect_extension_modules(
        argparse.Namespace(buildroot=srcdir, sysconfig_data=sysconfig_data)
    )
    omit = list(wasm_assets.OMIT_FILES) + list(wasm_assets.OMIT_SUBDIRS)
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
        ("tzdata/__init__.pyc", pyc(init, f"{RUNTIME_LIB}/tzdata/__init__.py")),
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
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 11):
        sys.exit("make_stdlib_zip.py must run on Python 3.11 (the runtime's bytecode version)")

    selected, missing = stdlib_files(args.srcdir.resolve())
    tz_entries, zone_count = tzdata_files(
        args.tzdata, args.tzdata_version.split("-")[0], pathlib.Path(__file__).with_name("tzdata_package.py")
    )
    entries = []
    for rel, path in selected:
        entries.append((rel[:-3] + ".pyc", pyc(path.read_bytes(), f"{RUNTIME_LIB}/{rel}")))
    for path in args.extra:
        entries.append((path.stem + ".pyc", pyc(path.read_bytes(), f"{RUNTIME_LIB}/{path.name}")))
    entries.extend(tz_entries)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in sorted(entries):
            add(zf, name, data)
    tmp.replace(args.out)
    print(
        f"{args.out}: {len(selected)} stdlib modules, {len(args.extra)} extra, {zone_count} time zones, "
        f"{args.out.stat().st_size / 2**20:.2f} MiB; modules not built: {', '.join(missing)}"
    )


if __name__ == "__main__":
    main()
