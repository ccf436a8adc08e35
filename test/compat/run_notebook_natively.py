"""Runs a notebook's code cells in order in a real IPython shell and prints, per cell, what it showed.

The reference half of test/integration/notebook-corpus.test.ts: Debian's python3-ipython (8.5, on
/usr/bin/python3.11) runs each cell with InteractiveShell.run_cell(source, store_history=True), as
a Jupyter kernel would, in the current folder (the test gives it a fresh temporary one). Printed
JSON: a list with, per code cell, {stdout, stderr, result (the Out value's bundle {mime type: text}
or null), displays (one bundle per display_data), error ({ename, evalue} or null)}.

Usage: python3.11 run_notebook_natively.py NOTEBOOK.ipynb
"""

import base64
import io
import json
import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell


class Stream(io.StringIO):
    # A kernel's streams are UTF-8: IPython then writes µs and ± (it falls back to us and +-).
    encoding = "utf-8"


class Capture:
    """What the cell being run has shown so far."""

    def __init__(self):
        self.result = None
        self.displays = []
        # The display_id of each of self.displays (None when it has none).
        self.display_ids = []
        self.stdout = None


capture = Capture()


class CapturingDisplayPublisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        bundle = {mime: _text(value) for mime, value in data.items()}
        display_id = (transient or {}).get("display_id")
        if update:
            # A front end redraws the display in place: the saved notebook has the last version.
            for i, shown_id in enumerate(capture.display_ids):
                if shown_id == display_id:
                    capture.displays[i] = bundle
            return
        capture.displays.append(bundle)
        capture.display_ids.append(display_id)

    def clear_output(self, wait=False):
        # A front end clears the whole output area, printed text included.
        capture.displays.clear()
        capture.display_ids.clear()
        capture.stdout.seek(0)
        capture.stdout.truncate()


class CapturingDisplayHook(DisplayHook):
    # The kernel's displayhook sends an execute_result; the terminal one would print "Out[n]: ".
    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        capture.result = {mime: _text(value) for mime, value in format_dict.items()}

    def finish_displayhook(self):
        pass


def _text(value):
    # As a kernel sends them: binary data in base64, JSON values as they are.
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def main(path):
    # A kernel imports modules from its working folder (ipykernel puts '' first in sys.path); -I
    # left it out.
    sys.path.insert(0, "")
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    shell = InteractiveShell.instance(
        displayhook_class=CapturingDisplayHook, display_pub_class=CapturingDisplayPublisher
    )
    # No colours in tracebacks, as in a notebook's saved text; the error itself is reported below.
    shell.colors = "NoColor"
    shell._showtraceback = lambda etype, evalue, stb: None

    # obj? pages its text: a Jupyter kernel sends it to the front end, which shows it under the
    # cell as it is; the terminal's pager would print() it, adding a blank line.
    def show_in_pager(self, data, start=0, screen_lines=0):
        sys.stdout.write(data["text/plain"] if isinstance(data, dict) else data)

    shell.set_hook("show_in_pager", show_in_pager)
    real_stdout, real_stderr = sys.stdout, sys.stderr
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        if isinstance(source, list):
            source = "".join(source)
        capture.result = None
        capture.displays = []
        capture.display_ids = []
        out, err = Stream(), Stream()
        capture.stdout = out
        sys.stdout, sys.stderr = out, err
        try:
            outcome = shell.run_cell(source, store_history=True)
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
        error = outcome.error_in_exec or outcome.error_before_exec
        cells.append(
            {
                "stdout": out.getvalue(),
                "stderr": err.getvalue(),
                "result": capture.result,
                "displays": list(capture.displays),
                "error": None if error is None else {"ename": type(error).__name__, "evalue": str(error)},
            }
        )
    json.dump(cells, real_stdout, indent=1, ensure_ascii=False)
    real_stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
