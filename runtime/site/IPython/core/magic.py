"""Defining magics (IPython.core.magic): register_line_magic and friends, Magics classes."""
from IPython.core.error import UsageError  # noqa: F401 - IPython exports it here too
from IPython.core.getipython import get_ipython

__all__ = [
    "register_line_magic",
    "register_cell_magic",
    "register_line_cell_magic",
    "Magics",
    "magics_class",
    "line_magic",
    "cell_magic",
    "line_cell_magic",
    "no_var_expand",
]


def _register(kind):
    def decorator(arg):
        if callable(arg):
            get_ipython().register_magic_function(arg, kind)
            return arg

        def named(func):
            get_ipython().register_magic_function(func, kind, arg)
            return func

        return named

    return decorator


register_line_magic = _register("line")
register_cell_magic = _register("cell")
register_line_cell_magic = _register("line_cell")


def no_var_expand(func):
    func.no_var_expand = True
    return func


def _method_marker(kinds):
    def decorator(arg):
        def mark(func, name):
            func._magic_kinds = kinds
            func._magic_name = name or func.__name__
            return func

        if callable(arg):
            return mark(arg, None)
        return lambda func: mark(func, arg)

    return decorator


line_magic = _method_marker(("line",))
cell_magic = _method_marker(("cell",))
line_cell_magic = _method_marker(("line", "cell"))


class Magics:
    """Base class for a group of magics written as methods (see magics_class)."""

    magics = {"line": {}, "cell": {}}

    def __init__(self, shell=None, **kwargs):
        self.shell = shell


def magics_class(cls):
    """Collects the methods decorated with line_magic/cell_magic into cls.magics."""
    table = {"line": {}, "cell": {}}
    for attr, value in vars(cls).items():
        for kind in getattr(value, "_magic_kinds", ()):
            table[kind][value._magic_name] = attr
    cls.magics = table
    return cls
