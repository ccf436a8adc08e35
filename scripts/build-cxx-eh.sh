#!/usr/bin/env bash
# C++ exceptions for the runtime (WebAssembly exception handling, clang -fwasm-exceptions).
# Debian's libc++abi-16-dev-wasm32 is built without exceptions (no __cxa_throw, no personality),
# and LLVM 16's libunwind has no WebAssembly port. So from Debian's llvm-toolchain-16 source
# package this builds libc++abi with exceptions (unchanged but for one patch; its personality in
# the SJLJ flavour, whose call-site table is the one wasm uses) and our runtime/cxx/unwind_wasm.c
# in place of libunwind, then compiles the _fuelbook_cxx test module. Debian's libc++ (built
# without exceptions) is kept: its code never throws, so it needs no unwind tables.
#
#   scripts/build-cxx-eh.sh BUILD SYSROOT PYTHON_SRC   (called by build-python-wasi.sh)
#
# Writes BUILD/cxx-eh/{libc++abi-eh.a,libunwind-wasm.a,fuelbook_cxx.o}. See runtime/README.md,
# "C++ exceptions".
set -euo pipefail

BUILD=$1
SYSROOT=$2
PY_SRC=$3
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CXX_SRC=$REPO/runtime/cxx
OUT=$BUILD/cxx-eh
LLVM=$OUT/llvm-toolchain-16

mkdir -p "$OUT" && cd "$BUILD/src"
# The source of the installed compiler (its .dsc, orig and debian tarballs; only the orig is used).
if ! ls llvm-toolchain-16_*.orig.tar.xz >/dev/null 2>&1; then
  apt-get source --download-only "llvm-toolchain-16=$(dpkg-query -W -f='${source:Version}' clang-16)" >/dev/null
fi
orig=$(ls llvm-toolchain-16_*.orig.tar.xz | sort -V | tail -1)
rm -rf "$LLVM" && mkdir -p "$LLVM"
tar -xJf "$orig" -C "$LLVM" --strip-components=1 --wildcards '*/libcxxabi/*' '*/libunwind/include/*' \
  '*/libcxx/src/include/*'
(cd "$LLVM" && patch -s -p1 <"$CXX_SRC/libcxxabi-wasm-destructor.patch")

# libc++abi keeps its assertions, whose messages name the source file (__FILE__): the build tree
# and the checkout are written as /build and /fuelbook, so python.wasm does not depend on where
# they are.
PREFIX_MAPS="-ffile-prefix-map=$BUILD=/build -ffile-prefix-map=$REPO=/fuelbook"
# Debian's wasm libc++ headers (the sysroot copy's c++/v1 is a relative link that does not follow).
TARGET="clang-16 --target=wasm32-wasi --sysroot=$SYSROOT -O2 -fwasm-exceptions $PREFIX_MAPS"
CXX="clang++-16 --target=wasm32-wasi --sysroot=$SYSROOT -isystem /usr/include/wasm32-wasi/c++/v1 -O2 \
  -fwasm-exceptions -std=c++20 $PREFIX_MAPS"
ABI_FLAGS="-D_LIBCXXABI_BUILDING_LIBRARY -D_LIBCPP_BUILDING_LIBRARY -D_LIBCXXABI_HAS_NO_THREADS \
  -DLIBCXXABI_NON_DEMANGLING_TERMINATE -I$LLVM/libcxxabi/include -I$LLVM/libunwind/include \
  -I$LLVM/libcxx/src -Wno-user-defined-literals"
cd "$OUT" && rm -f ./*.o ./*.a
# libc++abi's source list for a static library with exceptions and new/delete (its CMakeLists.txt)
for f in cxa_aux_runtime cxa_default_handlers cxa_demangle cxa_exception_storage cxa_guard cxa_handlers \
  cxa_vector cxa_virtual stdlib_exception stdlib_stdexcept stdlib_typeinfo abort_message fallback_malloc \
  private_typeinfo stdlib_new_delete cxa_exception; do
  $CXX $ABI_FLAGS -c "$LLVM/libcxxabi/src/$f.cpp" -o "$f.o"
done
$CXX $ABI_FLAGS -D__USING_SJLJ_EXCEPTIONS__ -c "$LLVM/libcxxabi/src/cxa_personality.cpp" -o cxa_personality.o
llvm-ar-16 rcs libc++abi-eh.a ./*.o
$TARGET -I"$LLVM/libunwind/include" -c "$CXX_SRC/unwind_wasm.c" -o unwind_wasm.obj
llvm-ar-16 rcs libunwind-wasm.a unwind_wasm.obj
# Python 3.11's WASI pthread stubs spell C99's restrict, which C++ lacks.
$CXX -DNDEBUG -Drestrict=__restrict -I"$PY_SRC/Include" -I"$PY_SRC" -c "$CXX_SRC/fuelbook_cxx.cpp" -o fuelbook_cxx.obj
