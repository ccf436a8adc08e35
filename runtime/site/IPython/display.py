"""Public API for display tools in IPython (IPython.display), as notebooks import it."""
from IPython.core.display_functions import *  # noqa: F401,F403
from IPython.core.display import (  # noqa: F401
    display_pretty,
    display_html,
    display_markdown,
    display_svg,
    display_png,
    display_jpeg,
    display_latex,
    display_json,
    display_javascript,
    display_pdf,
    DisplayObject,
    TextDisplayObject,
    Pretty,
    HTML,
    Markdown,
    Math,
    Latex,
    SVG,
    ProgressBar,
    JSON,
    GeoJSON,
    Javascript,
    Image,
    set_matplotlib_formats,
    set_matplotlib_close,
    Video,
)
# IPython.lib.display's objects come in when first named: in the kernel's first state (S0) their
# module would cost every run ~3 pages of memory to compare (src/main/kernel/README.md).
_FROM_LIB_DISPLAY = (
    "Audio",
    "IFrame",
    "YouTubeVideo",
    "VimeoVideo",
    "ScribdDocument",
    "FileLink",
    "FileLinks",
    "Code",
)


def __getattr__(name):
    if name in _FROM_LIB_DISPLAY:
        from IPython.lib import display as lib_display

        return getattr(lib_display, name)
    raise AttributeError(f"module 'IPython.display' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_LIB_DISPLAY))


__all__ = [name for name in globals() if not name.startswith("_")] + list(_FROM_LIB_DISPLAY)
