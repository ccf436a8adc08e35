"""Bytecode for the notebook's wheels (src/main/packages/README.md, "Bytecode cache").

Wheels hold no bytecode, so zipimport compiles every module of a wheel on its first import in a
kernel, inside the sandbox and metered. When a wheel is stored, the host has `compile_wheel` (the
driver's `bytecode` op) compile each of its .py files once, as zipimport would; it stores the
results beside the wheel and mounts them read-only next to it as WHEEL + ".bytecode". On import,
`WheelImporter` (zipimport's importer for the notebook's wheels) takes a module's code object from
that file; the source, `__file__`, `__path__` and every other file stay the wheel's. Anything
missing, mismatched or damaged in the cache falls back to zipimport's own compile.

The cache file, written by the host from `compile_wheel`'s entries (src/main/packages/bytecode.ts):

    b"fuelbook-bytecode 1 <index bytes>\\n"
    index: one line per module, "<path in the wheel>\\t<offset>\\t<length>\\t<source crc32>\\t<pyc crc32>\\n"
    data: each .pyc file (unchecked hash-based) compressed with zlib, offsets counted from the
    end of the index; the pyc crc32 is the compressed bytes'

Compressed because a .pyc is ~3 times its source (sympy's: 86 MB for 31 MB of source, 21 MB
compressed); inflating a module's bytecode costs a small part of what compiling it does.
"""

import _imp
import binascii
import marshal
import os
import sys
import warnings
import zipimport
import zlib
from importlib import _bootstrap_external

# The host mounts the notebook's stored wheels read-only here (src/main/sandbox/wasi/fs-image.ts).
PACKAGES_DIR = "/usr/local/lib/fuelbook-packages/"
CACHE_SUFFIX = ".bytecode"
HEADER = b"fuelbook-bytecode 1 "
# An unchecked hash-based .pyc (PEP 552): magic, flags 0b01, the source's hash, then marshal data.
_UNCHECKED = (0b01).to_bytes(4, "little")
# zlib's default level: level 9 makes sympy's cache 2% smaller for 5 times the time.
_LEVEL = 6
# One module's compressed bytecode larger than this does not fit a reply (the host reads records
# of at most 8 MiB, base64 adds a third): it is left out, and compiles on import.
MAX_ENTRY_BYTES = 5_500_000
_code_type = type(compile("", "", "exec"))


def compile_wheel(wheel, start=0, max_bytes=4_000_000):
    """The .pyc of each .py file of the mounted wheel named `wheel`, from the `start`-th (in name
    order) until `max_bytes` of them: {"entries": [[path, source crc32, crc32 of the compressed
    pyc, base64 of the compressed pyc]], "skipped": [paths left out: they do not compile, or are too
    large], "next": index to go on from, or None at the end}.

    Compiled as zipimport compiles a source (its _compile_source: line endings normalised,
    compile(source, path, "exec", dont_inherit=True)), with the path zipimport gives the module as
    its __file__, so tracebacks and inspect find the wheel's source lines."""
    importer = zipimport.zipimporter(PACKAGES_DIR + wheel)
    names = sorted(name for name in importer._files if name.endswith(".py"))
    entries, skipped, size = [], [], 0
    index = start
    with warnings.catch_warnings():
        # Warnings of the compiler (invalid escapes…) are the import's to show, not the install's.
        warnings.simplefilter("ignore")
        while index < len(names):
            name = names[index]
            index += 1
            toc = importer._files[name]
            if "\t" in name or "\n" in name:
                skipped.append(name)
                continue
            source = zipimport._get_data(importer.archive, toc)
            try:
                code = zipimport._compile_source(toc[0], source)
            except Exception:  # SyntaxError (py2-only files), ValueError (null bytes)…
                skipped.append(name)
                continue
            source_hash = _imp.source_hash(_bootstrap_external._RAW_MAGIC_NUMBER, source)
            pyc = zlib.compress(_bootstrap_external._code_to_hash_pyc(code, source_hash, checked=False), _LEVEL)
            if len(pyc) > MAX_ENTRY_BYTES:
                skipped.append(name)
                continue
            if entries and size + len(pyc) > max_bytes:
                index -= 1  # the next part starts with it
                break
            size += len(pyc)
            entries.append([name, toc[7], zlib.crc32(pyc), binascii.b2a_base64(pyc, newline=False).decode("ascii")])
    return {"entries": entries, "skipped": skipped, "next": index if index < len(names) else None}


# The cache index of each wheel read so far, by the wheel's path; a wheel whose cache is absent
# is not remembered (a cache mounted later is found). forget() drops them when the wheels change.
_indexes = {}


def forget():
    _indexes.clear()


def _read_index(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        head = os.pread(fd, 64, 0)
        end = head.find(b"\n")
        if end < 0 or not head.startswith(HEADER):
            return None
        size = int(head[len(HEADER):end])
        text = os.pread(fd, size, end + 1)
        if len(text) != size:
            return None
        base = end + 1 + size
        index = {}
        for line in text.decode("utf-8").split("\n"):
            if line:
                name, offset, length, source_crc, pyc_crc = line.split("\t")
                index[name] = (base + int(offset), int(length), int(source_crc), int(pyc_crc))
        return index
    except Exception:
        return None
    finally:
        os.close(fd)


def _index(archive):
    index = _indexes.get(archive)
    if index is None:
        index = _read_index(archive + CACHE_SUFFIX)
        if index is None:
            return None
        _indexes[archive] = index
    return index


def _load(archive, entry):
    """The code object of one cache entry, or None if the entry is damaged in any way."""
    offset, length, _source_crc, pyc_crc = entry
    try:
        fd = os.open(archive + CACHE_SUFFIX, os.O_RDONLY)
        try:
            data = os.pread(fd, length, offset)
        finally:
            os.close(fd)
        if len(data) != length or zlib.crc32(data) != pyc_crc:
            return None
        data = zlib.decompress(data)
        if data[:4] != _bootstrap_external.MAGIC_NUMBER or data[4:8] != _UNCHECKED:
            return None
        code = marshal.loads(memoryview(data)[16:])
    except Exception:
        return None
    return code if isinstance(code, _code_type) else None


class WheelImporter(zipimport.zipimporter):
    """zipimport's importer for a wheel under PACKAGES_DIR, with code objects from its cache."""

    def __init__(self, path):
        if not (isinstance(path, str) and path.startswith(PACKAGES_DIR)):
            raise ImportError("not a notebook wheel", path=path)
        super().__init__(path)

    def _cached(self, fullname):
        """(the module's __file__, its cache entry), or None: zipimport's own way then."""
        path = zipimport._get_module_path(self, fullname)
        for suffix, isbytecode, _ispackage in zipimport._zip_searchorder:
            toc = self._files.get(path + suffix)
            if toc is None:
                continue
            if isbytecode:
                return None  # the wheel ships its own .pyc: zipimport reads it
            index = _index(self.archive)
            entry = None if index is None else index.get(path + suffix)
            # The source crc32 (from the wheel's directory) ties the entry to this very file.
            if entry is None or entry[2] != toc[7]:
                return None
            return toc[0], entry
        return None

    def get_filename(self, fullname):
        # zipimport compiles the module to answer this; the cache says where it is without that.
        found = self._cached(fullname)
        return found[0] if found is not None else super().get_filename(fullname)

    def get_code(self, fullname):
        found = self._cached(fullname)
        if found is not None:
            code = _load(self.archive, found[1])
            if code is not None:
                return code
        return super().get_code(fullname)


def install():
    """WheelImporter first among the path hooks (it refuses every path but the wheels')."""
    if WheelImporter not in sys.path_hooks:
        sys.path_hooks.insert(0, WheelImporter)
