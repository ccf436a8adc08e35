"""The wheels' bytecode cache (runtime/site/fuelbook_wheels.py), natively: compiled as zipimport
compiles, read back by WheelImporter with the wheel's own __file__, and any damage falls back to
zipimport's compile."""
import base64
import importlib
import importlib.resources
import importlib.util
import sys
import traceback
import zipfile
import zipimport
import zlib

import pytest

import fuelbook_wheels

SOURCES = {
    "tinypkg/__init__.py": "from .core import twice\nVERSION = '1.0'\n",
    "tinypkg/core.py": "def twice(x):\n    return 2 * x\n\n\ndef boom():\n    raise ValueError('from the library')\n",
    "tinypkg/py2only.py": "print 'hello'\n",
    "tinypkg/data.txt": "some data\n",
}


def cache_file(result):
    """The cache file as the host writes it (src/main/packages/bytecode.ts)."""
    index, data = [], b""
    for name, source_crc, pyc_crc, pyc64 in result["entries"]:
        pyc = base64.b64decode(pyc64)
        index.append(f"{name}\t{len(data)}\t{len(pyc)}\t{source_crc}\t{pyc_crc}\n")
        data += pyc
    text = "".join(index).encode()
    return fuelbook_wheels.HEADER + str(len(text)).encode() + b"\n" + text + data


@pytest.fixture
def wheel(tmp_path, monkeypatch):
    folder = str(tmp_path) + "/"
    monkeypatch.setattr(fuelbook_wheels, "PACKAGES_DIR", folder)
    path = folder + "tinypkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in SOURCES.items():
            z.writestr(name, text)
    fuelbook_wheels.install()
    fuelbook_wheels.forget()
    sys.path.append(path)
    compiled = []
    real = zipimport._compile_source

    def counting(pathname, source):
        compiled.append(pathname)
        return real(pathname, source)

    monkeypatch.setattr(zipimport, "_compile_source", counting)
    yield path, compiled
    sys.path.remove(path)
    sys.path_hooks.remove(fuelbook_wheels.WheelImporter)
    for name in [m for m in sys.modules if m == "tinypkg" or m.startswith("tinypkg.")]:
        del sys.modules[name]
    sys.path_importer_cache.clear()
    zipimport._zip_directory_cache.clear()
    fuelbook_wheels.forget()


def compile_all(path, max_bytes=4_000_000):
    result = fuelbook_wheels.compile_wheel(path.rsplit("/", 1)[1], 0, max_bytes)
    parts = [result]
    while parts[-1]["next"] is not None:
        parts.append(fuelbook_wheels.compile_wheel(path.rsplit("/", 1)[1], parts[-1]["next"], max_bytes))
    return {
        "entries": [e for p in parts for e in p["entries"]],
        "skipped": [s for p in parts for s in p["skipped"]],
        "next": None,
    }


def test_compiles_every_module_that_compiles_in_parts_and_skips_the_rest(wheel):
    path, _compiled = wheel
    whole = compile_all(path)
    assert [e[0] for e in whole["entries"]] == ["tinypkg/__init__.py", "tinypkg/core.py"]
    assert whole["skipped"] == ["tinypkg/py2only.py"]
    # One module per part: the same entries, so a part's size never changes what is compiled.
    assert compile_all(path, max_bytes=1) == whole


def test_imports_take_the_cached_code_with_the_wheel_file_and_source(wheel):
    path, compiled = wheel
    with open(path + fuelbook_wheels.CACHE_SUFFIX, "wb") as f:
        f.write(cache_file(compile_all(path)))
    compiled.clear()
    tinypkg = importlib.import_module("tinypkg")
    assert compiled == []
    assert tinypkg.twice(21) == 42
    assert tinypkg.__file__ == path + "/tinypkg/__init__.py"
    assert tinypkg.core.__file__ == path + "/tinypkg/core.py"
    assert tinypkg.__path__ == [path + "/tinypkg"]
    assert isinstance(tinypkg.__loader__, fuelbook_wheels.WheelImporter)
    assert tinypkg.core.twice.__code__.co_filename == path + "/tinypkg/core.py"
    with pytest.raises(ValueError) as raised:
        tinypkg.core.boom()
    shown = "".join(traceback.format_exception(raised.value))
    assert "raise ValueError('from the library')" in shown
    assert importlib.resources.files("tinypkg").joinpath("data.txt").read_text() == "some data\n"


def test_without_a_cache_zipimport_compiles_as_before(wheel):
    path, compiled = wheel
    tinypkg = importlib.import_module("tinypkg")
    assert tinypkg.twice(2) == 4
    assert tinypkg.__file__ == path + "/tinypkg/__init__.py"
    assert path + "/tinypkg/core.py" in compiled


@pytest.mark.parametrize("damage", ["pyc bytes", "magic", "index", "source changed"])
def test_a_damaged_or_mismatched_cache_falls_back_to_the_source(wheel, damage):
    path, compiled = wheel
    data = bytearray(cache_file(compile_all(path)))
    if damage == "pyc bytes":
        data[-5] ^= 0xFF  # inside core.py's compressed bytecode
    elif damage == "magic":
        # Another runtime's magic number, in an otherwise intact entry.
        result = compile_all(path)
        for entry in result["entries"]:
            pyc = bytearray(zlib.decompress(base64.b64decode(entry[3])))
            pyc[0] ^= 0xFF
            packed = zlib.compress(bytes(pyc))
            entry[2], entry[3] = zlib.crc32(packed), base64.b64encode(packed).decode()
        data = cache_file(result)
    elif damage == "index":
        data[len(fuelbook_wheels.HEADER)] = ord("x")
    else:
        entries = compile_all(path)
        entries["entries"][1][1] ^= 1  # the cache was made from another core.py
        data = cache_file(entries)
    with open(path + fuelbook_wheels.CACHE_SUFFIX, "wb") as f:
        f.write(bytes(data))
    compiled.clear()
    tinypkg = importlib.import_module("tinypkg")
    assert tinypkg.twice(21) == 42
    assert tinypkg.core.__file__ == path + "/tinypkg/core.py"
    assert path + "/tinypkg/core.py" in compiled
