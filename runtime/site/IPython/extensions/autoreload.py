"""%load_ext autoreload: accepted, so the habitual first cell runs.

%autoreload and %aimport are accepted and change nothing: a cell's imports are not reloaded
when their files change (use importlib.reload(module) for that)."""


def _accepted(line=""):
    return None


def load_ipython_extension(ip):
    ip.register_magic_function(_accepted, "line", "autoreload")
    ip.register_magic_function(_accepted, "line", "aimport")
