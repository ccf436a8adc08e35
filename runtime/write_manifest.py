"""Writes resources/python/MANIFEST.json: where the runtime came from and what it must hash to.

The test suite (test/integration/runtime.test.ts) checks every artifact against the sha256
and size recorded here, and src/main/sandbox/runtime.ts verifies them before compiling.
"""
import argparse
import hashlib
import json
import pathlib
import re
import subprocess

ARTIFACTS_ORDER = ("wasm", "python311.zip", "LICENSE", "README.md")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dpkg_version(package):
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def apt_source_version(package):
    try:
        text = subprocess.run(["apt-cache", "showsrc", package], capture_output=True, text=True).stdout
    except OSError:
        return None
    newest = None  # what `apt-get source` picks
    for line in text.splitlines():
        if line.startswith("Version:"):
            version = line.split(":", 1)[1].strip()
            if newest is None or subprocess.run(["dpkg", "--compare-versions", version, "gt", newest]).returncode == 0:
                newest = version
    return newest


def sources(src_dir):
    out = {}
    for path in sorted(src_dir.iterdir()):
        m = re.match(r"(?P<pkg>[^_]+)_(?P<ver>[^_]+?)\.orig\.tar\.\w+$", path.name)
        if m and m["pkg"] in {"python3.11", "zlib", "sqlite3", "bzip2", "xz-utils", "llvm-toolchain-16"}:
            dsc = sorted(src_dir.glob(f"{m['pkg']}_*.dsc"))
            out[m["pkg"]] = {
                # The .dsc can be missing from a security mirror while the orig tarball is there:
                # then name the version apt knows (the tarball is the same upstream release).
                "debianVersion": dsc[-1].name[len(m["pkg"]) + 1 : -4] if dsc else apt_source_version(m["pkg"]),
                "dscDownloaded": bool(dsc),
                "upstreamTarball": path.name,
                "sha256": sha256(path),
                "debianPatchesApplied": False,
            }
        elif path.name.startswith("tzdata_") and path.suffix == ".deb":
            out["tzdata"] = {
                "debianVersion": path.name.split("_")[1],
                "binaryPackage": path.name,
                "sha256": sha256(path),
            }
    return out


def debian_patches(build, readme):
    """What runtime/debian_patches.py applied to CPython; README.md must name every skipped patch."""
    record = json.loads((build / "debian-patches.json").read_text())
    text = readme.read_text()
    missing = [s["patch"] for s in record["skipped"] if f"`{s['patch']}`" not in text]
    if missing:
        raise SystemExit(f"{readme} does not list these skipped Debian patches: {', '.join(missing)}")
    return record


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--build", type=pathlib.Path, required=True)
    parser.add_argument("--wasm", required=True)
    parser.add_argument("--python-version", required=True)
    args = parser.parse_args()

    clang = subprocess.run(["clang-16", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    manifest = {
        "name": "fuelbook-python",
        "python": args.python_version,
        "wasm": args.wasm,
        "stdlibZip": "python311.zip",
        "stdlibMountPath": "/usr/local/lib/python311.zip",
        "execModel": "reactor",
        "exports": [
            "memory", "_initialize", "__stack_pointer",
            "fb_alloc", "fb_free", "fb_init", "fb_run", "fb_call", "fb_exit_code",
        ],
        "imports": {
            "wasi_snapshot_preview1": "*",
            "fuelbook": ["emit", "fuel_consumed", "mode_bits", "set_mode_bits"],
        },
        "emitKinds": {
            "1": "display_data", "2": "execute_result", "3": "error", "4": "reply", "5": "clear_output",
            "6": "update_display_data", "7": "fuel_profile",
        },
        "sources": sources(args.build / "src"),
        "cpythonPatches": {
            "debian": debian_patches(args.build, args.out / "README.md"),
            # What the build tree has applied (the script keeps copies there), not what this
            # checkout has: the two differ while a tree is shared between checkouts.
            "fuelbook": sorted(p.name for p in (args.build / "applied-patches").glob("*.patch")),
        },
        "toolchain": {
            "clang": clang,
            "debianPackages": {
                p: dpkg_version(p)
                for p in (
                    "clang-16", "lld-16", "llvm-16", "libclang-rt-16-dev-wasm32", "libc++-16-dev-wasm32",
                    "wasi-libc", "python3.11", "binaryen",
                )
            },
        },
        "flags": {
            "cpythonConfigure": "--host=wasm32-unknown-wasi --with-build-python=/usr/bin/python3.11 "
            "--with-pymalloc --disable-test-modules --disable-ipv6 "
            "CONFIG_SITE=Tools/wasm/config.site-wasm32-wasi",
            "opt": "-DNDEBUG -O3 -flto -Wno-error=int-conversion",
            "ldflagsNodist": "-flto -Wl,--lto-O3 -Wl,--strip-debug",
            "libraries": "-O3 -flto -DNDEBUG",
            "sqlite": "-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL "
            "-DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_TEMP_STORE=2 -DSQLITE_ENABLE_FTS5 "
            "-DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_DQS=0 -include runtime/sqlite_wasi_compat.h",
            "reactorLink": "-mexec-model=reactor -flto -Wl,--lto-O3 -Wl,--strip-debug -z stack-size=524288 "
            "-Wl,--stack-first -Wl,--initial-memory=10485760 -Wl,--export=__stack_pointer "
            "(no --max-memory: the host sets the cap)",
            "cxxExceptions": "-O2 -fwasm-exceptions; libc++abi from llvm-toolchain-16 with "
            "runtime/cxx/libcxxabi-wasm-destructor.patch, personality with __USING_SJLJ_EXCEPTIONS__, "
            "runtime/cxx/unwind_wasm.c for libunwind, Debian's libc++.a (scripts/build-cxx-eh.sh)",
        },
        "artifacts": {},
    }
    # What this build tree applied (the script records both), so the manifest says what was done.
    pgo_id = args.build / "cpython-pgo-id"
    if pgo_id.exists():
        manifest["flags"]["pgo"] = (
            "CPython, libmpdec and expat compiled with -fprofile-instr-use=runtime/pgo/python.profdata "
            f"(sha256 {pgo_id.read_text().strip()}…), trained by scripts/pgo-train.ts on an instrumented "
            "build (-fprofile-instr-generate, compiler-rt's profile runtime for wasm32-wasi)"
        )
    wasm_opt = args.build / "reactor" / "wasm-opt.flags"
    if wasm_opt.exists():
        manifest["flags"]["wasmOpt"] = "wasm-opt " + " ".join(wasm_opt.read_text().split()) + " (binaryen 108)"

    python = manifest["sources"]["python3.11"]
    python["debianPatchesApplied"] = True
    python["debianVersion"] = manifest["cpythonPatches"]["debian"]["debianVersion"]
    for name in sorted(p.name for p in args.out.iterdir() if p.is_file() and p.name != "MANIFEST.json"):
        path = args.out / name
        manifest["artifacts"][name] = {"sha256": sha256(path), "size": path.stat().st_size}
    (args.out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {args.out / 'MANIFEST.json'}")


if __name__ == "__main__":
    main()
