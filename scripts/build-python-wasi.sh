#!/usr/bin/env bash
# Builds Fuelbook's Python runtime (CPython 3.11 as a WASI reactor, -O3/LTO) from Debian source
# packages only, and writes resources/python/. Run as root on Debian 12:
#
#   scripts/build-python-wasi.sh            # build tree in /work/build-python (BUILD_DIR=... to change)
#   CLEAN=1 scripts/build-python-wasi.sh    # start from an empty build tree
#   ZIP_ONLY_OUT=dir scripts/build-python-wasi.sh  # a development runtime: only the zip, into dir
#
# Steps are stamped in the build tree, so a re-run after an edit only redoes what is missing
# (delete $BUILD_DIR/stamps/<step> to force one). See resources/python/README.md for the result.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-/work/build-python}
OUT=$REPO/resources/python
RUNTIME_SRC=$REPO/runtime
JOBS=${JOBS:-$(nproc)}
PY_VERSION=3.11.2
WASM_NAME=python.wasm

if [[ ${CLEAN:-0} == 1 ]]; then rm -rf "$BUILD"; fi
mkdir -p "$BUILD"/{src,stamps,deps}
SYSROOT=$BUILD/sysroot
SRC=$BUILD/Python-$PY_VERSION
START=$(date +%s)
log() { printf '\n== [%4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
done_step() { touch "$BUILD/stamps/$1"; }
need_step() { [[ ! -e $BUILD/stamps/$1 ]]; }

CC_WASM="clang-16 --target=wasm32-wasi --sysroot=$SYSROOT"
LIB_CFLAGS="-O3 -flto -DNDEBUG"

fetch_source() { # package: its .dsc, orig and debian tarballs into the current folder
  local version
  for version in $(apt-cache showsrc "$1" | sed -n 's/^Version: //p' | sort -urV); do
    if apt-get source --download-only "$1=$version" >/dev/null 2>&1; then return 0; fi
  done
  echo "no version of the source package $1 could be downloaded" >&2
  return 1
}

make_zip() { # out.zip: the stdlib zip from the CPython tree's Lib/ and this checkout's runtime/
  local tz_deb
  tz_deb=$(ls "$BUILD"/src/tzdata_*_all.deb)
  rm -rf "$BUILD/tzdata.$$" && mkdir -p "$BUILD/tzdata.$$"
  dpkg-deb -x "$tz_deb" "$BUILD/tzdata.$$"
  (cd "$SRC" && /usr/bin/python3.11 "$RUNTIME_SRC/make_stdlib_zip.py" --srcdir "$SRC" \
    --tzdata "$BUILD/tzdata.$$/usr/share/zoneinfo" --tzdata-version "$(basename "$tz_deb" | cut -d_ -f2)" \
    --extra "$RUNTIME_SRC/fuelbook_driver.py" --site "$RUNTIME_SRC/site" --out "$1")
  rm -rf "$BUILD/tzdata.$$"
}

# A development runtime: only the zip is rebuilt (driver, runtime/site, stdlib) next to the
# committed python.wasm, with its own MANIFEST.json, in a private folder. Needs a build tree whose
# cpython step is done; touches nothing in it or in resources/python. See runtime/README.md.
if [[ -n ${ZIP_ONLY_OUT:-} ]]; then
  [[ -e $BUILD/stamps/cpython ]] || { echo "ZIP_ONLY_OUT needs a built CPython tree in $BUILD" >&2; exit 1; }
  # The zip reads Lib/ as the tree has it: a tree last built from a checkout with other
  # runtime/patches would give a zip without (or with foreign) stdlib changes.
  if ! diff -qr "$BUILD/applied-patches" "$RUNTIME_SRC/patches" >/dev/null 2>&1; then
    echo "ZIP_ONLY_OUT: $BUILD has other runtime/patches applied than this checkout's; run the script without ZIP_ONLY_OUT first (it reapplies them)" >&2
    exit 1
  fi
  mkdir -p "$ZIP_ONLY_OUT"
  ZIP_ONLY_OUT=$(cd "$ZIP_ONLY_OUT" && pwd)
  [[ $ZIP_ONLY_OUT != "$OUT" ]] || { echo "ZIP_ONLY_OUT must not be resources/python" >&2; exit 1; }
  cp "$OUT/$WASM_NAME" "$OUT/LICENSE" "$OUT/README.md" "$ZIP_ONLY_OUT/"
  make_zip "$ZIP_ONLY_OUT/python311.zip"
  /usr/bin/python3.11 "$RUNTIME_SRC/write_manifest.py" --out "$ZIP_ONLY_OUT" --build "$BUILD" \
    --wasm "$WASM_NAME" --python-version "$PY_VERSION"
  echo "development runtime in $ZIP_ONLY_OUT: run with FUELBOOK_RUNTIME_DIR=$ZIP_ONLY_OUT"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# 1. Toolchain and sources (Debian packages only)
if need_step packages; then
  log "toolchain and source packages"
  export DEBIAN_FRONTEND=noninteractive
  # deb-src entries for the configured mirror (deb822 format on Debian 12).
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/fuelbook-deb-src.sources
  fi
  apt-get update -qq
  # libc++-16-dev-wasm32: the C++ headers and libc++.a the cxx-eh step and the reactor link use.
  apt-get install -y -qq --no-install-recommends clang-16 lld-16 llvm-16 libclang-rt-16-dev-wasm32 \
    libc++-16-dev-wasm32 wasi-libc binaryen dpkg-dev python3.11 tcl gcc make patch pkg-config xz-utils bzip2 >/dev/null
  cd "$BUILD/src"
  # The newest version apt knows can be missing from the mirror (the security archive answers
  # 404 for some .dsc files): then take the newest version that downloads in full.
  for pkg in python3.11 zlib sqlite3 bzip2 xz-utils; do
    fetch_source "$pkg"
  done
  apt-get download tzdata >/dev/null 2>&1
  ls python3.11_${PY_VERSION}.orig.tar.gz zlib_*.orig.tar.* sqlite3_*.orig.tar.xz bzip2_*.orig.tar.gz \
    xz-utils_*.orig.tar.xz tzdata_*_all.deb >/dev/null
  done_step packages
fi

# ---------------------------------------------------------------------------------------------
# 2. A private WASI sysroot (Debian's wasi-libc ships headers and libs in multiarch folders)
if need_step sysroot; then
  log "sysroot"
  rm -rf "$SYSROOT"
  mkdir -p "$SYSROOT/lib/pkgconfig"
  cp -a /usr/include/wasm32-wasi "$SYSROOT/include"
  cp -a /usr/lib/wasm32-wasi "$SYSROOT/lib/wasm32-wasi"
  done_step sysroot
fi

pc_file() { # name version libs
  cat >"$SYSROOT/lib/pkgconfig/$1.pc" <<EOF
prefix=$SYSROOT
includedir=\${prefix}/include
libdir=\${prefix}/lib/wasm32-wasi
Name: $1
Description: $1 for wasm32-wasi (Fuelbook runtime build)
Version: $2
Cflags: -I\${includedir}
Libs: -L\${libdir} $3
EOF
}

# ---------------------------------------------------------------------------------------------
# 3. Dependencies, as LTO bitcode archives in the sysroot
if need_step zlib; then
  log "zlib"
  cd "$BUILD/deps" && rm -rf zlib-* && tar xf "$BUILD"/src/zlib_*.orig.tar.* && cd zlib-*/
  for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate \
    inftrees trees uncompr zutil; do
    $CC_WASM $LIB_CFLAGS -w -DHAVE_UNISTD_H -D_LARGEFILE64_SOURCE=1 -c $f.c -o $f.o
  done
  llvm-ar-16 rcs "$SYSROOT/lib/wasm32-wasi/libz.a" ./*.o
  cp zlib.h zconf.h "$SYSROOT/include/"
  pc_file zlib "$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' zlib.h)" -lz
  done_step zlib
fi

if need_step bzip2; then
  log "bzip2"
  cd "$BUILD/deps" && rm -rf bzip2-* && tar xf "$BUILD"/src/bzip2_*.orig.tar.gz && cd bzip2-*/
  for f in blocksort huffman crctable randtable compress decompress bzlib; do
    $CC_WASM $LIB_CFLAGS -D_FILE_OFFSET_BITS=64 -c $f.c -o $f.o
  done
  llvm-ar-16 rcs "$SYSROOT/lib/wasm32-wasi/libbz2.a" ./*.o
  cp bzlib.h "$SYSROOT/include/"
  pc_file bzip2 1.0.8 -lbz2
  done_step bzip2
fi

if need_step xz; then
  log "xz (liblzma)"
  cd "$BUILD/deps" && rm -rf xz-* && tar xf "$BUILD"/src/xz-utils_*.orig.tar.xz && cd xz-*/
  # Without threads mythread.h still wants sigprocmask(), which WASI has not: skip it there.
  sed -i 's|^#if !(defined(_WIN32) \&\& !defined(__CYGWIN__))$|& \&\& !defined(__wasi__)|' src/common/mythread.h
  grep -q '__CYGWIN__)) && !defined(__wasi__)' src/common/mythread.h
  CC="$CC_WASM" CFLAGS="$LIB_CFLAGS" AR=llvm-ar-16 RANLIB=llvm-ranlib-16 \
    ./configure --host=wasm32-unknown-wasi --prefix="$SYSROOT" --libdir="$SYSROOT/lib/wasm32-wasi" \
    --disable-threads --enable-static --disable-shared --disable-xz --disable-xzdec --disable-lzmadec \
    --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc --disable-nls >/dev/null
  make -s -j"$JOBS" -C src/liblzma >/dev/null
  make -s -C src/liblzma install >/dev/null
  mv "$SYSROOT/lib/wasm32-wasi/pkgconfig/liblzma.pc" "$SYSROOT/lib/pkgconfig/"
  done_step xz
fi

if need_step sqlite; then
  log "sqlite3 (amalgamation made on the host, compiled for wasm32-wasi)"
  cd "$BUILD/deps" && rm -rf sqlite3-* && tar xf "$BUILD"/src/sqlite3_*.orig.tar.xz && cd sqlite3-*/
  mkdir -p host && cd host
  ../configure --disable-tcl >/dev/null
  make -s sqlite3.c sqlite3.h >/dev/null
  # The unix VFS needs a few calls wasi-libc lacks (POSIX locks, fchmod, fchown, geteuid):
  # runtime/sqlite_wasi_compat.h supplies them (single process, so locks always succeed).
  $CC_WASM $LIB_CFLAGS -include "$RUNTIME_SRC/sqlite_wasi_compat.h" \
    -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_MAX_MMAP_SIZE=0 \
    -DSQLITE_TEMP_STORE=2 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_DQS=0 \
    -D_WASI_EMULATED_GETPID -c sqlite3.c -o sqlite3.o
  llvm-ar-16 rcs "$SYSROOT/lib/wasm32-wasi/libsqlite3.a" sqlite3.o
  cp sqlite3.h "$SYSROOT/include/"
  pc_file sqlite3 "$(sed -n 's/^#define SQLITE_VERSION  *"\(.*\)"/\1/p' sqlite3.h)" "-lsqlite3 -lwasi-emulated-getpid"
  done_step sqlite
fi

# ---------------------------------------------------------------------------------------------
# 4. CPython sources: upstream's tarball, Debian's patch series (minus the patches about Debian's
#    install layout and packaging: runtime/debian_patches.py says which and why), then ours
APPLIED=$BUILD/applied-patches # copies of runtime/patches/ as they are applied to $SRC
if need_step cpython-source; then
  log "CPython $PY_VERSION sources + Debian's patches"
  rm -f "$BUILD"/stamps/{cpython-configure,cpython,reactor,stdlib}
  cd "$BUILD" && rm -rf "$SRC" "$APPLIED" && tar xzf src/python3.11_${PY_VERSION}.orig.tar.gz
  /usr/bin/python3.11 "$RUNTIME_SRC/debian_patches.py" --srcdir "$SRC" \
    --debian-tarball "$(ls "$BUILD"/src/python3.11_${PY_VERSION}-*.debian.tar.xz | sort -V | tail -1)" \
    --record "$BUILD/debian-patches.json"
  mkdir -p "$APPLIED"
  done_step cpython-source
fi
# A tree built before configure had a step of its own was configured by its cpython step.
if [[ -e $BUILD/stamps/cpython && -e $SRC/Makefile ]]; then done_step cpython-configure; fi

# Our few changes (each patch says why). When runtime/patches/ differs from what the tree has,
# the applied ones are reversed and the current ones applied, so that an existing build tree
# follows an added or edited patch with an incremental make and a relink, not a clean build.
if ! diff -qr "$APPLIED" "$RUNTIME_SRC/patches" >/dev/null 2>&1; then
  log "runtime/patches changed: reapplying them"
  if [[ ! -d $APPLIED ]]; then
    # A tree from before $APPLIED was kept: a patch that reverses cleanly is applied.
    mkdir -p "$APPLIED"
    for patch in "$RUNTIME_SRC"/patches/*.patch; do
      if (cd "$SRC" && patch -s -p1 -R -f --dry-run <"$patch" >/dev/null); then cp "$patch" "$APPLIED/"; fi
    done
  fi
  for patch in $(ls "$APPLIED"/*.patch 2>/dev/null | sort -r); do
    (cd "$SRC" && patch -s -p1 -R <"$patch") && rm "$patch"
  done
  for patch in "$RUNTIME_SRC"/patches/*.patch; do
    (cd "$SRC" && patch -s -p1 <"$patch") && cp "$patch" "$APPLIED/"
  done
  rm -f "$BUILD"/stamps/{cpython,reactor,stdlib}
fi

# ---------------------------------------------------------------------------------------------
# 5. CPython: configure, then make (libpython3.11.a with the built-in modules; incremental after
#    a patch changed, since make follows the patched files' times)
if need_step cpython-configure; then
  log "CPython $PY_VERSION configure"
  cd "$SRC"
  PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$SYSROOT/lib/pkgconfig CONFIG_SITE=Tools/wasm/config.site-wasm32-wasi \
    LDFLAGS_NODIST="-flto -Wl,--lto-O3 -Wl,--strip-debug" \
    ./configure --host=wasm32-unknown-wasi --build="$(./config.guess)" --with-build-python=/usr/bin/python3.11 \
    --with-pymalloc --disable-test-modules --disable-ipv6 \
    CC="$CC_WASM" CPP="clang-cpp-16 --target=wasm32-wasi --sysroot=$SYSROOT" \
    OPT="-DNDEBUG -O3 -flto -Wno-error=int-conversion" AR=llvm-ar-16 RANLIB=llvm-ranlib-16 >configure.out
  # The modules we rely on must have been found by configure (state "yes").
  grep -E '^MODULE_(_SQLITE3|_BZ2|_LZMA|ZLIB|_DECIMAL|PYEXPAT|_ZONEINFO|_JSON|BINASCII)_STATE=' Makefile
  if grep -E '^MODULE_(_SQLITE3|_BZ2|_LZMA|ZLIB|_DECIMAL|PYEXPAT)_STATE=' Makefile | grep -v '=yes$'; then
    echo "a required module is not built (see configure.out)" >&2; exit 1
  fi
  rm -f "$BUILD"/stamps/{cpython,reactor}
  done_step cpython-configure
fi
# ---------------------------------------------------------------------------------------------
# 5a. C++ exceptions: libc++abi built with them and the wasm unwinder, from Debian's LLVM 16
#     sources, and the _fuelbook_cxx module that proves them (scripts/build-cxx-eh.sh; it needs
#     only configure's headers, and the instrumented build below links it too)
CXX_EH_INPUTS=$(cat "$REPO/scripts/build-cxx-eh.sh" "$RUNTIME_SRC"/cxx/* | sha256sum | cut -c1-16)
if need_step "cxx-eh-$CXX_EH_INPUTS"; then
  log "C++ exceptions: libc++abi, unwinder, _fuelbook_cxx"
  rm -f "$BUILD"/stamps/cxx-eh-* "$BUILD"/stamps/reactor
  "$REPO/scripts/build-cxx-eh.sh" "$BUILD" "$SYSROOT" "$SRC"
  done_step "cxx-eh-$CXX_EH_INPUTS"
fi

# ---------------------------------------------------------------------------------------------
# 5b. Profile-guided optimisation. CPython is compiled with the profile in
#     runtime/pgo/python.profdata (clang's front-end instrumentation: keyed by function and
#     source, so one profile serves -O2 and -O3/LTO builds alike). PGO_TRAIN=1 (or a missing
#     profile) makes it anew: compiler-rt's profile runtime built for wasm32-wasi from Debian's
#     LLVM 16 sources, an instrumented CPython (-fprofile-instr-generate, -O2, no LTO) in a
#     copy of the tree, its reactor trained by scripts/pgo-train.ts (the bench workloads and a
#     subset of CPython's test suite; needs the repo's node_modules), merged by llvm-profdata.
PGO_PROFILE=$RUNTIME_SRC/pgo/python.profdata
PGO=$BUILD/pgo
PGO_USE_FLAGS="-fprofile-instr-use=$PGO_PROFILE -Wno-profile-instr-unprofiled -Wno-profile-instr-out-of-date"
REACTOR_LIBS=(-lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks -lm
  Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a -lz -lbz2 -llzma -lsqlite3
  /usr/lib/llvm-16/lib/wasm32-wasi/libc++.a "$BUILD/cxx-eh/libc++abi-eh.a" "$BUILD/cxx-eh/libunwind-wasm.a")
CPYTHON_LIBS=(libpython3.11.a Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a)
if [[ ${PGO_TRAIN:-0} == 1 || ! -e $PGO_PROFILE ]]; then
  log "PGO: compiler-rt's profile runtime for wasm32-wasi"
  rm -rf "$PGO" && mkdir -p "$PGO/llvm" "$PGO/rt" "$PGO/profile"
  tar -xJf "$(ls "$BUILD"/src/llvm-toolchain-16_*.orig.tar.xz | sort -V | tail -1)" -C "$PGO/llvm" \
    --strip-components=1 --wildcards '*/compiler-rt/lib/profile/*' '*/compiler-rt/include/profile/*'
  # The platform file that fits is InstrProfilingPlatformOther.c (functions register themselves
  # at start-up); WASI lacks getpagesize() (one wasm page), mmap (emulated) and flock/hostnames
  # (runtime/pgo/profile_runtime.c).
  for f in "$PGO"/llvm/compiler-rt/lib/profile/InstrProfiling*.c "$RUNTIME_SRC/pgo/profile_runtime.c"; do
    $CC_WASM -O2 -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID -DCOMPILER_RT_HAS_ATOMICS=0 \
      '-Dgetpagesize()=65536' -include unistd.h -I"$PGO/llvm/compiler-rt/include" \
      -c "$f" -o "$PGO/rt/$(basename "$f" .c).o"
  done
  llvm-ar-16 rcs "$PGO/libclang_rt.profile-wasm32.a" "$PGO"/rt/*.o

  log "PGO: instrumented CPython"
  cp -a "$SRC" "$PGO/Python"
  # configure wrote the tree's absolute path into the Makefile: the copy builds in itself.
  sed -i "s|$SRC|$PGO/Python|g" "$PGO/Python/Makefile"
  cd "$PGO/Python" && find . -name '*.o' -delete && rm -f "${CPYTHON_LIBS[@]}"
  make -s -j"$JOBS" "${CPYTHON_LIBS[@]}" pybuilddir.txt OPT="-DNDEBUG -O2 -Wno-error=int-conversion" \
    CFLAGS_NODIST="-fprofile-instr-generate" >make.out 2>&1 || { tail -40 make.out; exit 1; }
  $CC_WASM -O2 -DNDEBUG -DFUELBOOK_PGO_GENERATE -I"$PGO/Python/Include" -I"$PGO/Python" \
    -c "$RUNTIME_SRC/fuelbook_entry.c" -o "$PGO/fuelbook_entry.o"
  $CC_WASM -mexec-model=reactor -Wl,--lto-O1 -Wl,--strip-debug -z stack-size=524288 -Wl,--stack-first \
    -Wl,--initial-memory=10485760 -Wl,--export=__stack_pointer -o "$PGO/python-instrumented.wasm" \
    "$PGO/fuelbook_entry.o" "$BUILD/cxx-eh/fuelbook_cxx.obj" "${CPYTHON_LIBS[@]}" "${REACTOR_LIBS[@]}" \
    "$PGO/libclang_rt.profile-wasm32.a" -lwasi-emulated-mman

  log "PGO: training run"
  SRC="$PGO/Python" make_zip "$PGO/python311.zip" # its Lib/ and build outputs, ready before $SRC's
  (cd "$REPO" && npx tsx scripts/pgo-train.ts --wasm "$PGO/python-instrumented.wasm" \
    --zip "$PGO/python311.zip" --lib "$PGO/Python/Lib" --out "$PGO/profile")
  mkdir -p "$(dirname "$PGO_PROFILE")"
  llvm-profdata-16 merge -o "$PGO_PROFILE" "$PGO/profile/python.profraw"
fi
# Objects compiled with another profile (or none) are compiled again.
PGO_ID=$(sha256sum "$PGO_PROFILE" | cut -c1-16)
if [[ -e $BUILD/stamps/cpython && "$(cat "$BUILD/cpython-pgo-id" 2>/dev/null)" != "$PGO_ID" ]]; then
  log "CPython's objects were compiled with another profile: recompiling"
  (cd "$SRC" && find . -name '*.o' -delete && rm -f "${CPYTHON_LIBS[@]}")
  rm -f "$BUILD"/stamps/{cpython,reactor}
fi
if need_step cpython; then
  log "CPython make"
  cd "$SRC"
  # Only what the reactor links and the stdlib zip reads: `make all` would also LTO-link the
  # command-model python.wasm, which we do not ship (minutes of single-threaded linking).
  # The build date in sys.version is the Debian changelog's (as Debian builds it), not today's.
  source_date=$(/usr/bin/python3.11 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sourceDateEpoch"])' \
    "$BUILD/debian-patches.json")
  make -s -j"$JOBS" "${CPYTHON_LIBS[@]}" pybuilddir.txt CFLAGS_NODIST="$PGO_USE_FLAGS" BUILD_DATE="$(LC_ALL=C date -u +'%b %e %Y' -d "@$source_date")" \
    BUILD_TIME="$(LC_ALL=C date -u +%H:%M:%S -d "@$source_date")" >make.out 2>&1 || { tail -40 make.out; exit 1; }
  echo "$PGO_ID" >"$BUILD/cpython-pgo-id"
  done_step cpython
fi

# ---------------------------------------------------------------------------------------------
# 6. The reactor: our entry file instead of Programs/python.o
if need_step reactor; then
  log "reactor link (LTO)"
  mkdir -p "$BUILD/reactor" && cd "$BUILD/reactor"
  $CC_WASM -O3 -flto -DNDEBUG -I"$SRC/Include" -I"$SRC" -c "$RUNTIME_SRC/fuelbook_entry.c" -o fuelbook_entry.o
  # No --max-memory: the host (the meter) sets the cap per run. __stack_pointer is exported so
  # a snapshot can carry the one mutable global.
  $CC_WASM -mexec-model=reactor -flto -Wl,--lto-O3 -Wl,--strip-debug -z stack-size=524288 \
    -Wl,--stack-first -Wl,--initial-memory=10485760 -Wl,--export=__stack_pointer \
    -o $WASM_NAME fuelbook_entry.o "$BUILD/cxx-eh/fuelbook_cxx.obj" "$SRC/libpython3.11.a" \
    -lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks -lm \
    "$SRC/Modules/_decimal/libmpdec/libmpdec.a" "$SRC/Modules/expat/libexpat.a" \
    -lz -lbz2 -llzma -lsqlite3 \
    /usr/lib/llvm-16/lib/wasm32-wasi/libc++.a "$BUILD/cxx-eh/libc++abi-eh.a" "$BUILD/cxx-eh/libunwind-wasm.a"
  rm -f "$BUILD/stamps/wasm-opt"
  done_step reactor
fi

# ---------------------------------------------------------------------------------------------
# 6b. binaryen's wasm-opt -O3 on the linked module, before the meter instruments it at run time
#     (Debian 12's binaryen 108, checked: another version optimises differently, and the fuel
#     figures follow the instructions). -g keeps the name section; the features are the ones
#     the module uses (C++ exceptions are wasm exception handling).
WASM_OPT_FLAGS="-O3 -g --enable-exception-handling --enable-bulk-memory --enable-sign-ext \
--enable-mutable-globals --enable-nontrapping-float-to-int"
if need_step wasm-opt; then
  log "wasm-opt"
  command -v wasm-opt >/dev/null || apt-get install -y -qq --no-install-recommends binaryen >/dev/null
  [[ $(wasm-opt --version) == "wasm-opt version 108" ]] || {
    echo "wasm-opt: binaryen 108 (Debian 12) expected, found: $(wasm-opt --version)" >&2
    exit 1
  }
  # shellcheck disable=SC2086
  wasm-opt $WASM_OPT_FLAGS "$BUILD/reactor/$WASM_NAME" -o "$BUILD/reactor/python-opt.wasm"
  echo "$WASM_OPT_FLAGS" >"$BUILD/reactor/wasm-opt.flags"
  done_step wasm-opt
fi

# ---------------------------------------------------------------------------------------------
# 7. Stdlib zip: .pyc compiled for /usr/local/lib/python3.11 beside their .py sources, plus our
#    driver, runtime/site/ and Debian's tzdata
if need_step stdlib; then
  log "stdlib zip"
  make_zip "$BUILD/reactor/python311.zip"
  done_step stdlib
fi

# ---------------------------------------------------------------------------------------------
# 8. resources/python
log "resources/python"
mkdir -p "$OUT"
cp "$BUILD/reactor/python-opt.wasm" "$OUT/$WASM_NAME"
cp "$BUILD/reactor/python311.zip" "$OUT/"
{
  echo "Fuelbook's Python runtime bundles the following software."
  echo
  echo "=================================================================="
  echo "CPython $PY_VERSION (Python Software Foundation License)"
  echo "=================================================================="
  cat "$SRC/LICENSE"
  echo
  echo "=================================================================="
  echo "zlib (zlib License)"
  echo "=================================================================="
  sed -n '/^  Copyright (C)/,/^  madler@alumni/p' "$BUILD"/deps/zlib-*/zlib.h
  echo
  echo "=================================================================="
  echo "bzip2 / libbzip2 (BSD-style License)"
  echo "=================================================================="
  cat "$BUILD"/deps/bzip2-*/LICENSE
  echo
  echo "=================================================================="
  echo "liblzma from XZ Utils (public domain / 0BSD)"
  echo "=================================================================="
  cat "$BUILD"/deps/xz-*/COPYING
  echo
  echo "=================================================================="
  echo "SQLite (public domain)"
  echo "=================================================================="
  echo "SQLite is in the public domain: https://www.sqlite.org/copyright.html"
  echo
  echo "=================================================================="
  echo "libc++abi and libc++ from LLVM 16 (Apache License v2.0 with LLVM Exceptions)"
  echo "=================================================================="
  cat "$BUILD/cxx-eh/llvm-toolchain-16/libcxxabi/LICENSE.TXT"
  echo
  echo "=================================================================="
  echo "libmpdec, expat: see the CPython license above (Modules/_decimal, Modules/expat)"
  echo "Time zone data (tzdata package, public domain): https://www.iana.org/time-zones"
  echo "=================================================================="
} >"$OUT/LICENSE"

/usr/bin/python3.11 "$RUNTIME_SRC/write_manifest.py" --out "$OUT" --build "$BUILD" \
  --wasm "$WASM_NAME" --python-version "$PY_VERSION"
log "done in $(($(date +%s) - START)) s"
ls -la "$OUT"
