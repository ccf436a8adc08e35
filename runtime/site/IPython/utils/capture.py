"""Capturing a block's output (IPython.utils.capture): what %%capture keeps."""
import sys
from io import StringIO

import fuelbook_driver as _driver

__all__ = ["RichOutput", "CapturedIO", "capture_output"]


class RichOutput:
    """One captured display output; display() shows it."""

    def __init__(self, data=None, metadata=None):
        self.data = data or {}
        self.metadata = metadata or {}

    def display(self):
        _driver.publish_display_data(self.data, self.metadata)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.data, self.metadata


class CapturedIO:
    """Captured stdout, stderr and display outputs. show() (or calling it) replays them."""

    def __init__(self, stdout, stderr, outputs=None):
        self._stdout = stdout
        self._stderr = stderr
        self._outputs = [] if outputs is None else outputs

    def __str__(self):
        return self.stdout

    @property
    def stdout(self):
        return self._stdout.getvalue() if self._stdout else ""

    @property
    def stderr(self):
        return self._stderr.getvalue() if self._stderr else ""

    @property
    def outputs(self):
        return [RichOutput(data, metadata) for data, metadata in self._outputs]

    def show(self):
        sys.stdout.write(self.stdout)
        sys.stderr.write(self.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        for output in self.outputs:
            output.display()

    __call__ = show


class capture_output:
    """with capture_output() as io: ... keeps stdout, stderr and display outputs in io."""

    def __init__(self, stdout=True, stderr=True, display=True):
        self.stdout = stdout
        self.stderr = stderr
        self.display = display

    def __enter__(self):
        self._saved = sys.stdout, sys.stderr
        out = err = None
        if self.stdout:
            out = sys.stdout = StringIO()
        if self.stderr:
            err = sys.stderr = StringIO()
        self._outputs = [] if self.display else None
        if self.display:
            _driver.display_captures.append(self._outputs)
        return CapturedIO(out, err, self._outputs)

    def __exit__(self, exc_type, exc_value, traceback):
        sys.stdout, sys.stderr = self._saved
        if self.display:
            _driver.display_captures.remove(self._outputs)
        return False
