"""IPython's exceptions that notebooks meet (IPython.core.error): a misused magic, input() without
a keyboard."""


class IPythonCoreError(Exception):
    pass


class UsageError(IPythonCoreError):
    """A magic was called wrongly or does not exist: shown as one line, as in IPython."""

    def _render_traceback_(self):
        return [f"UsageError: {self}"]


class StdinNotImplementedError(IPythonCoreError, NotImplementedError):
    """input() in a notebook cell: cells take no keyboard input (the driver raises it)."""
