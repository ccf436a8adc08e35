"""IANA time zone data for zoneinfo (Debian's tzdata), packed for Fuelbook's stdlib zip.

Installed as tzdata/__init__.py next to `zoneinfo.bin` (every zone file, concatenated),
`zoneinfo.idx` ("<key> <offset> <length>" lines) and `zones` (the key list). Laid out for
zoneinfo like the PyPI `tzdata` package: `importlib.resources.files("tzdata.zoneinfo.Europe")
.joinpath("Berlin")` opens Europe/Berlin. The subpackages `tzdata.zoneinfo[.<Area>...]` are
served by a finder from the index instead of being ~600 entries of the zip: zipimport reads the
zip's whole directory when the interpreter starts, so every entry costs start-up time.
"""
import sys

IANA_VERSION = "@IANA_VERSION@"

_PACKAGE = __name__ + ".zoneinfo"
_index = None  # key -> (offset, length)
_dirs = None  # folder ("" or "Europe" or "America/Argentina") -> names in it
_blob = None


def _load():
    global _index, _dirs, _blob
    if _index is None:
        folder = __file__.rpartition("/")[0]
        text = __loader__.get_data(folder + "/zoneinfo.idx").decode("ascii")
        index, dirs = {}, {"": set()}
        for line in text.splitlines():
            key, offset, length = line.split()
            index[key] = (int(offset), int(length))
            parts = key.split("/")
            for depth in range(len(parts)):
                dirs.setdefault("/".join(parts[:depth]), set()).add(parts[depth])
        _blob = __loader__.get_data(folder + "/zoneinfo.bin")
        _index, _dirs = index, dirs
    return _index, _dirs


class _Node:
    """A Traversable (importlib.resources) over the packed zone files."""

    def __init__(self, path):
        self._path = path

    @property
    def name(self):
        return self._path.rpartition("/")[2]

    def is_dir(self):
        return self._path in _load()[1]

    def is_file(self):
        return self._path in _load()[0]

    def iterdir(self):
        if not self.is_dir():
            raise NotADirectoryError(self._path)
        for name in sorted(_dirs[self._path]):
            yield self.joinpath(name)

    def joinpath(self, *names):
        parts = [p for name in names for p in str(name).split("/") if p]
        return _Node("/".join(([self._path] if self._path else []) + parts))

    __truediv__ = joinpath

    def read_bytes(self):
        index = _load()[0]
        if self._path not in index:
            raise FileNotFoundError(f"no time zone file {self._path!r}")
        offset, length = index[self._path]
        return _blob[offset : offset + length]

    def read_text(self, encoding=None):
        return self.read_bytes().decode(encoding or "utf-8")

    def open(self, mode="r", *args, **kwargs):
        import io
        data = io.BytesIO(self.read_bytes())
        return data if "b" in mode else io.TextIOWrapper(data, *args, **kwargs)


class _Loader:
    def __init__(self, path):
        self._path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        pass

    def get_resource_reader(self, name):
        return self

    def files(self):  # the resource reader protocol (TraversableResources)
        return _Node(self._path)


class _Finder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname != _PACKAGE and not fullname.startswith(_PACKAGE + "."):
            return None
        folder = fullname[len(_PACKAGE) + 1 :].replace(".", "/")
        if folder not in _load()[1]:
            return None
        import importlib.util
        spec = importlib.util.spec_from_loader(fullname, _Loader(folder), is_package=True)
        spec.submodule_search_locations = []
        return spec


if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
    sys.meta_path.append(_Finder())
