"""Fuelbook's IPython: the parts of IPython's API that notebooks use, inside the sandbox.

display tools (IPython.display), get_ipython() with line and cell magics, the pretty printer
(IPython.lib.pretty) and the input transformer (IPython.core.inputtransformer2). Submodules are
imported when first used, so `import IPython` costs little. See runtime/README.md.
"""
version_info = (8, 5, 0, "fuelbook")
__version__ = "8.5.0+fuelbook"

__all__ = ["get_ipython", "display", "embed", "start_ipython", "start_kernel"]

from IPython.core.getipython import get_ipython  # noqa: E402


def _no_terminal(name):
    def refuse(*args, **kwargs):
        raise RuntimeError(
            f"IPython.{name}() starts an interactive IPython, which a notebook cell cannot run: "
            "the cell is already running in Fuelbook's IPython-like shell (get_ipython())."
        )

    refuse.__name__ = name
    return refuse


embed = _no_terminal("embed")
start_ipython = _no_terminal("start_ipython")
start_kernel = _no_terminal("start_kernel")


def __getattr__(name):
    if name in ("display", "core", "lib", "utils", "extensions"):
        import importlib

        return importlib.import_module(f"IPython.{name}")
    raise AttributeError(f"module 'IPython' has no attribute {name!r}")
