"""Applies Debian's patch series for python3.11 (debian/patches/series of the source package) to
the upstream CPython tree, in order, leaving out only the patches about Debian's own install
layout, packaging or build (SKIPPED, each with its reason), and records what it did in a JSON
file that runtime/write_manifest.py puts into MANIFEST.json. resources/python/README.md lists
the same skipped patches for readers; write_manifest.py checks that it names every one.

  python3 runtime/debian_patches.py --debian-tarball python3.11_<ver>.debian.tar.xz \
      --srcdir Python-3.11.2 --record debian-patches.json

A patch that does not apply stops the build: a new Debian revision must be looked at, not
half-applied. A patch the series gains later is applied (it is a fix unless listed here).
"""
import argparse
import email.utils
import json
import pathlib
import re
import subprocess
import sys
import tempfile

LAYOUT = "Debian's install layout"
DISTUTILS = "distutils building or installing extensions Debian's way; the sandbox has no compiler and installs nothing"
SKIPPED = {
    "deb-setup.diff": "setup.py's library paths for Debian's shared extension modules; ours are linked statically by configure's Modules/Setup.stdlib",
    "deb-locations.diff": f"{LAYOUT}: pydoc's /usr/share/doc location and the man page",
    "distutils-install-layout.diff": DISTUTILS,
    "distutils-link.diff": DISTUTILS,
    "distutils-sysconfig.diff": DISTUTILS,
    "sysconfig-debian-schemes.diff": f"{LAYOUT}: the posix_local/deb_system install schemes (dist-packages)",
    "tkinter-import.diff": "packaging: tells the user to install python3-tk; tkinter is not in the runtime",
    "gdbm-import.diff": "packaging: tells the user to install python3-gdbm, advice that is wrong in the sandbox",
    "link-opt.diff": "Debian's build: configure.ac linker flags (configure is not regenerated; the reactor link is ours)",
    "setup-modules.diff": "Debian's build: Modules/Setup's split into shared modules for Debian's packages",
    "profiled-build.diff": "Debian's build: its profile-guided build targets in the Makefile",
    "langpack-gettext.diff": f"{LAYOUT}: Ubuntu's /usr/share/locale-langpack folder for gettext",
    "disable-sem-check.diff": "Debian's build: configure.ac's sem_open check in build chroots (configure is not regenerated)",
    "multiarch.diff": f"{LAYOUT}: multiarch folders in sysconfig and the Makefile",
    "lib2to3-no-pickled-grammar.diff": "packaging: where Debian's package keeps lib2to3's grammar pickles; lib2to3 is not in the runtime",
    "ext-no-libpython-link.diff": DISTUTILS,
    "multiarch-extname.diff": DISTUTILS,
    "disable-some-tests.diff": "Debian's build: distutils tests its build machine cannot run; distutils' tests are not shipped",
    "ensurepip-disabled.diff": "packaging: tells the user to install python3-venv; ensurepip and venv are not in the runtime",
    "mangle-fstack-protector.diff": DISTUTILS,
    "pydoc-use-pager.diff": f"{LAYOUT}: pydoc's /usr/bin/pager alternative",
    "local-doc-references.diff": "Debian's documentation package (links to /usr/share/doc); no documentation is built",
    "doc-build-texinfo.diff": "Debian's documentation build; no documentation is built",
    "sphinx3.diff": "Debian's documentation build; no documentation is built",
    "sysconfigdata-name.diff": f"{LAYOUT}: the multiarch name of _sysconfigdata (the runtime keeps upstream's WASI name)",
    "destshared-location.diff": f"{LAYOUT}: where `make install` puts shared modules",
}


def series(patches_dir):
    names = []
    for line in (patches_dir / "series").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line.split()[0])
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--debian-tarball", type=pathlib.Path, required=True)
    parser.add_argument("--srcdir", type=pathlib.Path, required=True)
    parser.add_argument("--record", type=pathlib.Path, required=True)
    args = parser.parse_args()
    version = re.match(r"python3\.11_(.+)\.debian\.tar\.\w+$", args.debian_tarball.name)
    if not version:
        sys.exit(f"debian_patches.py: not a python3.11 Debian tarball: {args.debian_tarball.name}")

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["tar", "xf", str(args.debian_tarball.resolve()), "-C", tmp], check=True)
        patches_dir = pathlib.Path(tmp) / "debian" / "patches"
        # The newest changelog entry's date, as Debian's own build uses it for the build date
        # that sys.version shows (reproducible-buildinfo.diff): the same sources, the same bytes.
        trailer = next(
            line for line in (pathlib.Path(tmp) / "debian" / "changelog").read_text().splitlines()
            if line.startswith(" -- ")
        )
        source_date_epoch = int(email.utils.parsedate_to_datetime(trailer.split(">", 1)[1].strip()).timestamp())
        names = series(patches_dir)
        unknown = sorted(set(SKIPPED) - set(names))
        if unknown:
            sys.exit(f"debian_patches.py: skip list names patches the series lacks: {', '.join(unknown)}")
        applied = []
        for name in names:
            if name in SKIPPED:
                continue
            result = subprocess.run(
                ["patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-i", str(patches_dir / name)],
                cwd=args.srcdir, capture_output=True, text=True,
            )
            if result.returncode != 0:
                sys.exit(f"debian_patches.py: {name} does not apply:\n{result.stdout}{result.stderr}")
            applied.append(name)

    record = {
        "debianVersion": version[1],
        "sourceDateEpoch": source_date_epoch,
        "series": len(names),
        "applied": applied,
        "skipped": [{"patch": name, "reason": SKIPPED[name]} for name in names if name in SKIPPED],
    }
    args.record.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Debian {version[1]}: {len(applied)} of {len(names)} patches applied, {len(SKIPPED)} skipped")


if __name__ == "__main__":
    main()
