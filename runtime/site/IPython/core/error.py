"""IPython's exception for a magic that was misused (IPython.core.error)."""


class IPythonCoreError(Exception):
    pass


class UsageError(IPythonCoreError):
    """A magic was called wrongly or does not exist: shown as one line, as in IPython."""

    def _render_traceback_(self):
        return [f"UsageError: {self}"]
