"""Fuelbook's cell driver: runs notebook cells inside the WASI reactor, like a Jupyter kernel.

Called from C (runtime/fuelbook_entry.c):
  init()             once, from fb_init: patches builtins, warms common modules (snapshot S0).
  run_cell(source)   from fb_run: returns (status, exit_code); status 0 ok, 1 exception, 2 SystemExit.
  call(request)      from fb_call: one JSON command; the reply goes out as a kind-4 record.

Rich output never goes through stdout: it is sent with _fuelbook.emit(kind, utf8_json), kinds
1 display_data, 2 execute_result, 3 error, 4 fb_call reply, 5 clear_output, 6 update_display_data.

IPython habits: a cell that does not compile as Python is retried through
IPython.core.inputtransformer2 (runtime/site/, magics, !cmd, obj?), which keeps every line where
it was, so tracebacks and error lines still point at the user's own lines. Out values are
formatted with IPython.lib.pretty and kept in Out/_/__/___/_N, the input in In/_i/_ii/_iii/_iN.
"""

# Only built-in (C) modules at import time: fb_init's cost is every fresh instance's start-up.
# json, traceback, linecache and re are imported the first time they are needed.
import _ast
import _json
import _random
import builtins
import sys
import time

import _fuelbook

KIND_DISPLAY_DATA = 1
KIND_EXECUTE_RESULT = 2
KIND_ERROR = 3
KIND_REPLY = 4
KIND_CLEAR_OUTPUT = 5
KIND_UPDATE_DISPLAY_DATA = 6

STATUS_OK = 0
STATUS_ERROR = 1
STATUS_EXIT = 2

# Block buffering measured faster than line buffering for print-heavy cells (see
# resources/python/README.md); streams are flushed after every run and before time.sleep().
LINE_BUFFERING = False

# Modules imported by fb_init itself. Empty: fb_init runs in every fresh instance, and warming
# the list below there tripled its cost (see resources/python/README.md, "Start-up and S0").
WARM_MODULES = ()
# Fuelbook's IPython (runtime/site/IPython), imported from the zip in ~100 M fuel; in S0 every
# Out value (pretty), magic cell (transformer, magics) and `from IPython.display import ...`
# starts at no import cost (measured in src/main/kernel/README.md).
IPYTHON_MODULES = (
    "IPython", "IPython.lib.pretty", "IPython.display", "IPython.core.inputtransformer2",
    "IPython.core.fuelbook_magics",
)
# What {"op": "warm"} imports by default: modules most notebooks use, for a kernel that wants
# them in its cached S0 snapshot.
COMMON_MODULES = (
    "re", "json", "math", "random", "datetime", "collections", "itertools", "functools",
    "operator", "string", "textwrap", "copy", "enum", "typing", "dataclasses", "decimal",
    "fractions", "statistics", "pathlib", "base64", "struct", "pprint", "traceback",
    "linecache", "reprlib", "rlcompleter", "asyncio",
) + IPYTHON_MODULES

_REPR_METHODS = (
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
)
_BINARY_MIMES = {"image/png", "image/jpeg"}

# Packages real notebooks import that need compiled extension modules, which this runtime does
# not have (README.md, "The Python runtime"); %pip refuses their wheels. An uncaught import of one
# gets a note saying so, instead of a bare "No module named" that reads like a typo.
_COMPILED_PACKAGES_NOT_IN_RUNTIME = frozenset((
    "numpy", "pandas", "matplotlib", "mpl_toolkits", "scipy", "sklearn", "skimage", "PIL", "cv2",
    "torch", "tensorflow", "jax", "numba", "lxml", "pyarrow", "polars", "statsmodels", "h5py",
    "shapely", "kiwisolver", "contourpy",
))

# compile() flag and code flag for cells that use `await` at top level (as in Jupyter).
_ALLOW_TOP_LEVEL_AWAIT = 0x2000
_CO_COROUTINE = 0x80

_run_number = 0  # runs in this interpreter
_execution_count = 0  # the host's execution count of the running cell (In[N], Out[N], _N)
_next_execution_count = None  # set by {"op": "execution_count"} before a run
_cell_sources = {}  # "<cell-N>" -> source; linecache finds them through _CellLineCache
_cell_filename = "<cell-0>"  # the running cell's code's file name (_name_cell)
traceback_mode = "Context"  # %xmode: "Minimal" reports an exception's own line only
float_format = None  # %precision: a %-format for floats in text/plain ("%.3f"); None: repr
pretty_printing = True  # %pprint: False shows text/plain as plain repr(), %precision aside, as IPython

# ---- JSON without importing the json package (its import pulls in re and enum) -------------

_json_string = _json.encode_basestring
_INFINITY = float("inf")


def _json_parts(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_json_string(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        # NaN and infinities are not JSON: null, as JSON.stringify does.
        out.append(float.__repr__(value) if value == value and value not in (_INFINITY, -_INFINITY) else "null")
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_json_string(key if isinstance(key, str) else _json_key(key)))
            out.append(":")
            _json_parts(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _json_parts(item, out)
        out.append("]")
    else:
        out.append(_json_string(repr(value)))


def _json_key(key):
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return repr(key) if isinstance(key, float) else str(key)


# _json's C encoder (what json.dumps uses), compact and with repr() for other objects: ~5x less
# fuel than _json_parts for a record. It refuses NaN and infinities and keys other than str, int,
# float, bool or None; those records go through _json_parts, which writes them as shown above.
_json_encode = _json.make_encoder(None, repr, _json_string, None, ":", ",", False, False, False)


def _json_dumps(value):
    try:
        return "".join(_json_encode(value, 0))
    except (ValueError, TypeError):
        out = []
        _json_parts(value, out)
        return "".join(out)


class _JsonContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float
    memo = {}


_json_scan = _json.make_scanner(_JsonContext())


def _json_loads(text):
    text = text.strip()
    try:
        value, end = _json_scan(text, 0)
    except StopIteration:
        end = -1
    if end != len(text):
        raise ValueError("request is not one JSON value")
    return value


def _send(kind, message):
    _fuelbook.emit(kind, _json_dumps(message).encode("utf-8", "surrogatepass"))


def _flush_streams():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass


# ---- rich output ---------------------------------------------------------------------------

def _warn_formatter(method, exc):
    print(f"{type(exc).__name__} in {method}(): {exc}", file=sys.stderr)


def _encode(mime, value):
    if mime in _BINARY_MIMES and isinstance(value, (bytes, bytearray, memoryview)):
        import base64
        return base64.b64encode(bytes(value)).decode("ascii")
    if mime == "application/json" and isinstance(value, str):
        try:
            import json
            return json.loads(value)
        except ValueError:
            return value
    return value


_pretty = None
# Types IPython.lib.pretty prints as their one-line repr(): skip the printer for them.
_REPR_IS_PRETTY = frozenset({int, float, complex, bool, str, bytes, type(None)})
# Builtin types whose values have no _repr_*_ methods, nor can be given any (the types are
# immutable, the values have no __dict__): mime_bundle skips the seven lookups (~50 k fuel).
_NO_RICH_REPR = _REPR_IS_PRETTY | {list, tuple, dict, set, frozenset}


def plain_text(obj):
    """text/plain as IPython shows it: IPython.lib.pretty (sorted sets, 79 columns, _repr_pretty_).

    Plain repr() when the IPython package is not in the runtime."""
    global _pretty
    if not pretty_printing:
        try:
            return repr(obj)
        except Exception as exc:
            return f"<repr failed: {type(exc).__name__}: {exc}>"
    if type(obj) in _REPR_IS_PRETTY:
        if type(obj) is float and float_format is not None:
            return float_format % obj
        return repr(obj)
    if _pretty is None:
        try:
            from IPython.lib.pretty import pretty as _pretty
        except ImportError:
            _pretty = repr
    try:
        if float_format is not None and _pretty is not repr:
            return _pretty_with_float_format(obj)
        return _pretty(obj)
    except Exception as exc:
        return f"<repr failed: {type(exc).__name__}: {exc}>"


def _pretty_with_float_format(obj):
    """IPython's PlainTextFormatter with %precision set: every float, inside containers too."""
    import io
    from IPython.lib import pretty

    printers = pretty._type_pprinters.copy()
    printers[float] = lambda value, p, cycle: p.text(float_format % value)
    stream = io.StringIO()
    printer = pretty.RepresentationPrinter(stream, type_pprinters=printers)
    printer.pretty(obj)
    printer.flush()
    return stream.getvalue()


def _wanted(mime, include, exclude):
    return (include is None or mime in include) and (exclude is None or mime not in exclude)


def mime_bundle(obj, include=None, exclude=None):
    """The {mime: value} and metadata dicts for obj, following IPython's rich-repr protocol.

    text/plain is present unless excluded. Classes are shown by repr only (their _repr_*_ are
    unbound). include/exclude: mime types to keep / to leave out, as IPython's display() takes."""
    data, metadata = {}, {}
    rich = not isinstance(obj, type) and type(obj) not in _NO_RICH_REPR
    if rich:
        show = getattr(obj, "_ipython_display_", None)
        if callable(show):
            # The object shows itself (it calls display() or print()), as IPython's display
            # formatter lets it: nothing else is shown for it.
            try:
                show()
                return {}, {}
            except Exception as exc:
                _warn_formatter("_ipython_display_", exc)
        method = getattr(obj, "_repr_mimebundle_", None)
        if callable(method):
            try:
                result = method(include=include, exclude=exclude)
            except Exception as exc:
                _warn_formatter("_repr_mimebundle_", exc)
                result = None
            if isinstance(result, tuple) and len(result) == 2:
                result, extra = result
                if isinstance(extra, dict):
                    metadata.update(extra)
            if isinstance(result, dict):
                for mime, value in result.items():
                    data[str(mime)] = _encode(mime, value)
        for name, mime in _REPR_METHODS:
            if mime in data or not _wanted(mime, include, exclude):
                continue
            method = getattr(obj, name, None)
            if not callable(method):
                continue
            try:
                value = method()
            except Exception as exc:
                _warn_formatter(name, exc)
                continue
            if isinstance(value, tuple) and len(value) == 2:
                value, extra = value
                if isinstance(extra, dict):
                    metadata[mime] = extra
            if value is not None:
                data[mime] = _encode(mime, value)
    if "text/plain" not in data and _wanted("text/plain", include, exclude):
        data["text/plain"] = plain_text(obj)
    if include is not None or exclude is not None:
        data = {mime: value for mime, value in data.items() if _wanted(mime, include, exclude)}
    return data, metadata


# %%capture (IPython.utils.capture): while a list is here, display outputs go into it as
# (data, metadata) instead of to the host.
display_captures = []


def publish_display_data(data, metadata=None, transient=None, update=False):
    """Send one display_data record (update=True: replace the outputs shown with its display id)."""
    if display_captures:
        display_captures[-1].append((data, metadata or {}))
        return
    message = {"data": data, "metadata": metadata or {}}
    if transient:
        message["transient"] = transient
    _flush_streams()
    _send(KIND_UPDATE_DISPLAY_DATA if update else KIND_DISPLAY_DATA, message)


def display(*objs, include=None, exclude=None, metadata=None, transient=None, display_id=None,
            raw=False, clear=False, update=False, **_ignored):
    """Show each object as rich output under the cell, as IPython's display() does.

    raw=True: each object is already a {mime: value} bundle. display_id=True (a new id) or a
    string: returns a DisplayHandle whose update() replaces what was shown; update=True replaces
    the outputs shown earlier with that display_id."""
    if clear:
        clear_output(wait=True)
    transient = dict(transient or {})
    if display_id:
        if display_id is True:
            import os
            display_id = os.urandom(16).hex()
        transient["display_id"] = display_id
    for obj in objs:
        if raw and isinstance(obj, dict):
            data, bundle_metadata = {str(k): _encode(k, v) for k, v in obj.items()}, {}
        else:
            data, bundle_metadata = mime_bundle(obj, include, exclude)
        if not data:
            continue
        if metadata:
            bundle_metadata.update(metadata)
        publish_display_data(data, bundle_metadata, transient, update)
    if display_id:
        try:
            from IPython.core.display_functions import DisplayHandle
        except ImportError:
            return None
        return DisplayHandle(display_id)
    return None


def clear_output(wait=False):
    """Clear this cell's output so far (wait=True: when the next output arrives)."""
    _flush_streams()
    _send(KIND_CLEAR_OUTPUT, {"wait": bool(wait)})


def get_ipython():
    """The notebook's shell, as IPython's get_ipython() returns it (runtime/site/IPython)."""
    from IPython.core.getipython import get_ipython as shell

    return shell()


def _no_input(prompt=""):
    __tracebackhide__ = True  # the traceback ends at the cell's input() call
    # IPython's own class (a NotImplementedError), so `except StdinNotImplementedError` written
    # for Jupyter catches it and the traceback names the class a notebook can import.
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError(
        "input() is not available: notebook cells take no keyboard input. "
        "Assign the value in the code instead."
    )


_real_sleep = time.sleep


def _sleep(seconds):
    """time.sleep() that first flushes stdout/stderr, so output printed before a pause shows.

    Waits with a relative timeout (select), never an absolute deadline: CPython's own sleep
    uses clock_nanosleep(TIMER_ABSTIME), and browser_wasi_shim 0.4.2 reads the subscription
    flags at the wrong offset and treats that deadline as a duration (sleeps for the whole
    uptime)."""
    if not isinstance(seconds, (int, float)):
        seconds = float(seconds)
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _flush_streams()
    import select
    deadline = time.monotonic() + seconds
    remaining = seconds
    while remaining > 0:
        select.select([], [], [], remaining)
        remaining = deadline - time.monotonic()


# ---- running a cell ------------------------------------------------------------------------

def _cell_frames_only(tb, filename):
    """Drop the frames in front of the cell's own: the driver's, and asyncio's for a cell with
    top-level await. Without a cell frame (the error came from the driver's display of a
    value), drop only the driver's frames."""
    first = tb
    while first is not None and first.tb_frame.f_code.co_filename != filename:
        first = first.tb_next
    if first is not None:
        return first
    # co_filename, not __file__: in the zip __file__ is ".../python311.zip/fuelbook_driver.pyc".
    driver_file = _cell_frames_only.__code__.co_filename
    while tb is not None and tb.tb_frame.f_code.co_filename == driver_file:
        tb = tb.tb_next
    return tb


class _CellLineCache(dict):
    """linecache.cache that finds a cell's lines when asked for them: tracebacks (ours or the
    user's), inspect.getsource() and warnings show cell lines, and no run pays for the cells run
    before it. Handing linecache every cell's source up front made a kernel's first traceback
    cost ~1,150 fuel per earlier cell; now a lookup of "<cell-N>" builds that one entry. It
    survives linecache.clearcache() (which empties it in place)."""

    __slots__ = ()

    def __contains__(self, name):
        return dict.__contains__(self, name) or self._add_cell(name) is not None

    def __missing__(self, name):
        entry = self._add_cell(name)
        if entry is None:
            raise KeyError(name)
        return entry

    def _add_cell(self, name):
        source = _cell_sources.get(name) if type(name) is str else None
        if source is None:
            return None
        entry = self[name] = _linecache_entry(name, source)
        return entry


def _install_cell_line_cache(force=True):
    """Let linecache find the cells' sources (_CellLineCache): O(1), whatever the history.
    Without `force`, only when something imported linecache already."""
    linecache = sys.modules.get("linecache")
    if linecache is None:
        if not force:
            return
        import linecache
    if type(linecache.cache) is not _CellLineCache:  # first use, or code replaced the dict
        linecache.cache = _CellLineCache(linecache.cache)


def _linecache_entry(name, source):
    # Lines end with "\n" as a file's do: 3.11's traceback misplaces the ^~~ markers under a
    # last line without one. No mtime: linecache.checkcache() keeps such entries.
    lines = [line if line.endswith("\n") else line + "\n" for line in source.splitlines(True)]
    return (len(source), None, lines, name)


def _without_hidden_frames(tb):
    """Drop frames that ask to be hidden with a local `__tracebackhide__` (IPython's and
    pytest's convention): the magics' own frames between the cell's lines. A cell line that only
    called a magic which ran code from that same line (`%time f()`) is shown once."""
    kept = []
    hidden_since_kept = False
    while tb is not None:
        if tb.tb_frame.f_locals.get("__tracebackhide__"):
            hidden_since_kept = True
        else:
            if hidden_since_kept and kept and _same_module_line(kept[-1], tb):
                kept.pop()
            kept.append(tb)
            hidden_since_kept = False
        tb = tb.tb_next
    for current, following in zip(kept, kept[1:] + [None]):
        current.tb_next = following
    return kept[0] if kept else None


def _same_module_line(a, b):
    code_a, code_b = a.tb_frame.f_code, b.tb_frame.f_code
    return (
        code_a.co_name == code_b.co_name == "<module>"
        and code_a.co_filename == code_b.co_filename
        and a.tb_lineno == b.tb_lineno
    )


def _note_missing_compiled_package(exc):
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return
    package = exc.name.partition(".")[0]
    if package not in _COMPILED_PACKAGES_NOT_IN_RUNTIME:
        return
    note = (
        f"{package} is not part of Fuelbook's runtime: it needs compiled extension modules, and the"
        " runtime has the Python standard library only. Pure-Python packages install with"
        " %pip install NAME."
    )
    if note not in getattr(exc, "__notes__", ()):
        exc.add_note(note)


def _report_error(exc, filename):
    lineno = None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        # The cell's own code does not compile (also when a magic compiled a part of it): the
        # error's line is all there is to show, as for a cell that never ran.
        tb = None
        lineno = exc.lineno
    else:
        tb = _without_hidden_frames(_cell_frames_only(exc.__traceback__, filename))
    exc.__traceback__ = tb
    _note_missing_compiled_package(exc)
    # As IPython does: what traceback.print_last() and %tb show again.
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    frame = tb
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == filename:
            lineno = frame.tb_lineno
        frame = frame.tb_next
    try:
        evalue = str(exc)
    except Exception:
        evalue = "<str() failed>"
    _send(
        KIND_ERROR,
        {"ename": type(exc).__name__, "evalue": evalue, "traceback": error_lines(exc, tb), "lineno": lineno},
    )


def error_lines(exc, tb):
    """The lines of an error as a cell shows it (and %tb shows it again), in the %xmode chosen."""
    try:
        render = getattr(exc, "_render_traceback_", None)
        if callable(render):  # IPython's protocol: the exception formats itself (UsageError)
            return [str(line) for line in render()]
        _install_cell_line_cache()
        import traceback
        if traceback_mode == "Minimal":
            text = "".join(traceback.format_exception_only(type(exc), exc))
        else:
            text = "".join(traceback.format_exception(type(exc), exc, tb))
        return text.rstrip("\n").split("\n")
    except Exception:
        return [f"{type(exc).__name__}: <traceback could not be formatted>"]


def _exit_code(exc):
    """sys.exit(x) semantics of CPython's own main()."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return (int(code) + 2**31) % 2**32 - 2**31  # wrap into the i32 that fb_exit_code returns
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _evaluate(code, namespace):
    __tracebackhide__ = True
    result = eval(code, namespace)
    if code.co_flags & _CO_COROUTINE:  # the cell awaits at top level: run it in an event loop
        import asyncio
        result = asyncio.run(result)
    return result


def _compile_ast(source, filename):
    __tracebackhide__ = True
    return compile(source, filename, "exec", _ast.PyCF_ONLY_AST | _ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def _ipython_syntax(source):
    """The cell with IPython's syntax (magics, !cmd, obj?) turned into Python, line for line;
    None if the IPython package is missing or the transformer fails."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return None
    try:
        return TransformerManager().transform_cell(source)
    except Exception:
        return None


def parse_cell(source, filename):
    """(ast, Python source). Python first: a cell that compiles is never rewritten, and only a
    cell that does not pays for the IPython transformer."""
    __tracebackhide__ = True
    try:
        return _compile_ast(source, filename), source
    except SyntaxError as exc:
        python = _ipython_syntax(source)
        if python is None or python.rstrip("\n") == source.rstrip("\n"):
            raise
        first_error = exc
    try:
        return _compile_ast(python, filename), python
    except SyntaxError as exc:
        if exc.lineno is None or exc.lineno > len(source.splitlines()):
            raise first_error from None
        raise


def _ends_with_semicolon(source, node):
    """IPython's rule: a cell whose last expression ends with `;` shows no Out value."""
    if ";" not in source:  # most cells: ~12 k fuel less than looking at the line
        return False
    lines = source.splitlines()
    if node.end_lineno is None or node.end_lineno > len(lines):
        return False
    rest = lines[node.end_lineno - 1].encode("utf-8")[node.end_col_offset:].decode("utf-8", "replace")
    return rest.lstrip().startswith(";")


# ---- In / Out history (IPython's names) ----------------------------------------------------

_input_history = [""]  # In: In[N] is the Python source that ran as execution count N
_output_history = {}  # Out: Out[N] is the value shown as Out[N]
_last_outputs = {"_": "", "__": "", "___": ""}  # what the driver last put in _, __, ___
_previous_inputs = ("", "", "")  # _i, _ii, _iii for the next cell


def _record_input(namespace, count, python_source, raw_source):
    """IPython's input history: In[N] the Python that ran, _iN the cell as written, _i, _ii,
    _iii the cells before it."""
    global _previous_inputs
    history = _input_history
    if len(history) <= count:
        history.extend([""] * (count + 1 - len(history)))
    history[count] = python_source
    if "In" not in namespace:
        namespace.update(In=history, _ih=history, Out=_output_history, _oh=_output_history)
    namespace["_i"], namespace["_ii"], namespace["_iii"] = _previous_inputs
    namespace[f"_i{count}"] = raw_source
    _previous_inputs = (raw_source,) + _previous_inputs[:2]


def _record_output(namespace, count, value):
    """IPython's displayhook: _, __, ___ shift (unless the user assigned one of them), _N and
    Out[N] keep the value."""
    if value is _output_history:
        return
    # A loop, not any() over a generator: half the fuel (~5 k) for every Out value.
    user_assigned = False
    for name in ("_", "__", "___"):
        if name in namespace and namespace[name] is not _last_outputs[name]:
            user_assigned = True
            break
    _last_outputs["___"], _last_outputs["__"], _last_outputs["_"] = (
        _last_outputs["__"], _last_outputs["_"], value
    )
    if not user_assigned:
        namespace.update(_last_outputs)
    namespace[f"_{count}"] = value
    _output_history[count] = value


def clear_history():
    """%reset: forget In and Out (the lists stay the same objects, as IPython's do)."""
    global _previous_inputs
    del _input_history[1:]
    _output_history.clear()
    _previous_inputs = ("", "", "")
    _last_outputs.update({"_": "", "__": "", "___": ""})


def cell_source(filename):
    """The source of a cell run in this interpreter ("" if unknown)."""
    return _cell_sources.get(filename, "")


def compile_tree(tree, filename):
    """A parsed cell's code: (its statements, its last statement if that is an expression), each
    None when there is none. Separate from running it so that %time measures only the run."""
    __tracebackhide__ = True
    last = tree.body.pop().value if tree.body and isinstance(tree.body[-1], _ast.Expr) else None
    body = compile(tree, filename, "exec", _ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True) if tree.body else None
    if last is None:
        return body, None
    expression = _ast.Expression(last)
    return body, compile(expression, filename, "eval", _ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def run_compiled(code, namespace):
    """Run compile_tree's code; returns the value of the last expression (None without one)."""
    __tracebackhide__ = True
    body, expression = code
    if body is not None:
        _evaluate(body, namespace)
    return None if expression is None else _evaluate(expression, namespace)


def run_tree(tree, filename, namespace):
    """Run a parsed cell; returns the value of its last statement if that is an expression."""
    __tracebackhide__ = True
    return run_compiled(compile_tree(tree, filename), namespace)


def current_cell():
    """(filename, source, execution count) of the running cell, for the magics."""
    return _cell_filename, _cell_sources.get(_cell_filename, ""), _execution_count


def _name_cell(count):
    """The file name of a run's code: `<cell-N>` after the cell's In[N], so that a traceback names
    the cell as the notebook numbers it (runs that were stopped took a number and left no state,
    so the interpreter's own count of runs would not match). A name is never used twice in one
    interpreter, so that linecache shows a function defined in an earlier cell with that cell's
    lines: a count seen before (a caller that repeats counts) gets the run's number as well."""
    name = f"<cell-{count}>"
    return name if name not in _cell_sources else f"<cell-{count}-{_run_number}>"


def run_cell(source):
    global _execution_count, _next_execution_count, _run_number, _cell_filename
    _run_number += 1
    if _next_execution_count is not None:
        _execution_count, _next_execution_count = _next_execution_count, None
    else:
        _execution_count += 1
    count = _execution_count
    filename = _cell_filename = _name_cell(count)
    namespace = sys.modules["__main__"].__dict__
    try:
        try:
            tree, python = parse_cell(source, filename)
        except (SyntaxError, ValueError, OverflowError) as exc:
            _report_error(exc, filename)
            return (STATUS_ERROR, 0)
        _cell_sources[filename] = source
        _install_cell_line_cache(force=False)
        _record_input(namespace, count, python, source)
        quiet = bool(tree.body) and isinstance(tree.body[-1], _ast.Expr) and _ends_with_semicolon(python, tree.body[-1])
        try:
            value = run_tree(tree, filename, namespace)
            if value is not None and not quiet:
                _flush_streams()
                # Formatted before Out[N] and _ take it, as IPython's displayhook does: a live
                # view (Out.keys(), globals()) then shows what was there before this cell.
                data, metadata = mime_bundle(value)
                _record_output(namespace, count, value)
                if data:  # empty when the value showed itself (_ipython_display_)
                    _send(KIND_EXECUTE_RESULT, {"data": data, "metadata": metadata})
        except SystemExit as exc:
            return (STATUS_EXIT, _exit_code(exc))
        except BaseException as exc:
            _flush_streams()
            _report_error(exc, filename)
            return (STATUS_ERROR, 0)
        return (STATUS_OK, 0)
    finally:
        _flush_streams()


# ---- commands (fb_call) --------------------------------------------------------------------

def hidden_variables():
    """What the driver itself put into the notebook's namespace (IPython's user_ns_hidden)."""
    return {"In": _input_history, "Out": _output_history}


def user_variables(namespace=None):
    """(name, value) of the user's variables, in definition order, as the variables panel and
    %who show them: no names starting with "_", not the driver's own In and Out."""
    namespace = sys.modules["__main__"].__dict__ if namespace is None else namespace
    hidden = hidden_variables()
    for name, value in list(namespace.items()):
        if name.startswith("_") or hidden.get(name, _NOT_HIDDEN) is value:
            continue
        yield name, value


_NOT_HIDDEN = object()


def _short_repr(value, limit=120):
    import reprlib
    shortener = reprlib.Repr()
    shortener.maxstring = limit
    shortener.maxother = limit
    shortener.maxlong = limit
    try:
        text = shortener.repr(value)
    except Exception as exc:
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(value):
    if isinstance(value, type):
        return None
    try:
        return len(value)
    except Exception:
        return None


def _variables(_request):
    import types
    out = []
    for name, value in user_variables():
        kind = "module" if isinstance(value, types.ModuleType) else type(value).__name__
        out.append({"name": name, "type": kind, "size": _size(value), "repr": _short_repr(value)})
    return {"variables": out}


def _utf16_len(text):
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _split_at_cursor(request):
    """(text before, text after, cursor) of a request's code; the cursor counts UTF-16 code units
    (the editor's unit)."""
    units = str(request.get("code", "")).encode("utf-16-le", "surrogatepass")
    cursor = max(0, min(int(request.get("cursor", len(units) // 2)), len(units) // 2))
    before, after = units[: cursor * 2], units[cursor * 2:]
    return before.decode("utf-16-le", "surrogatepass"), after.decode("utf-16-le", "surrogatepass"), cursor


def _complete(request):
    import re
    import rlcompleter
    before, _after, cursor = _split_at_cursor(request)
    word = re.search(r"[^\W\d]\w*(?:\.\w*)*$|$", before).group(0)
    start = cursor - _utf16_len(word)
    matches = []
    if word:
        completer = rlcompleter.Completer(sys.modules["__main__"].__dict__)
        seen = set()
        for state in range(1000):
            try:
                match = completer.complete(word, state)
            except Exception:
                break
            if match is None:
                break
            match = match.rstrip("( ")
            if match and match not in seen:
                seen.add(match)
                matches.append(match)
    return {"matches": matches, "from": start, "to": cursor}


_NAME_AT_END = r"[^\W\d]\w*(?:\.\w*)*$"
_INSPECT_LINES = 20


def _name_at_cursor(before, after):
    """The dotted name the cursor is on; else the name of the innermost call the cursor is in
    (`len(x, |` gives len), as Jupyter's inspector picks it. '' when there is neither."""
    import keyword
    import re
    head = re.search(_NAME_AT_END, before)
    tail = re.match(r"\w*", after).group(0)
    if head:
        name = (head.group(0) + tail).rstrip(".")
        return "" if keyword.iskeyword(name) else name
    if tail and not tail[0].isdigit() and not before.endswith("."):
        return tail
    depth, quote = 0, None
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in ")]}":
            depth += 1
        elif char in "([{" and depth > 0:
            depth -= 1
        elif char == "(":
            call = re.search(_NAME_AT_END, before[:index].rstrip())
            if call and not keyword.iskeyword(call.group(0)):
                return call.group(0).rstrip(".")
    return ""


def _inspect(request):
    """What Shift+Tab shows: IPython's obj? text (signature, docstring, file, type) for the name
    at the cursor, its first lines unless `full`."""
    from IPython.core.fuelbook_magics import _lookup
    from IPython.core.oinspect import info_text
    before, after, _cursor = _split_at_cursor(request)
    name = _name_at_cursor(before, after)
    if not name:
        return {"found": False, "name": ""}
    found, obj = _lookup(name, sys.modules["__main__"].__dict__)
    if not found:
        return {"found": False, "name": name}
    lines = info_text(obj, name).split("\n")
    truncated = not request.get("full") and len(lines) > _INSPECT_LINES
    return {
        "found": True,
        "name": name,
        "text": "\n".join(lines[:_INSPECT_LINES] if truncated else lines),
        "truncated": truncated,
    }


def _set_execution_count(request):
    global _next_execution_count
    _next_execution_count = int(request["count"])
    return _OK


# True once the notebook chose `random`'s state itself (random.seed(n), random.setstate): the
# host's reseed before each run then leaves it alone, so numbers drawn in the cells after
# random.seed(42) are the ones Jupyter gives. random.seed() or random.seed(None) hands it back.
_random_seeded_by_notebook = False
_random_watched = False


def _watch_random_seed(random):
    """Puts wrappers on random.seed and random.setstate that note the notebook seeded `random`."""
    global _random_watched
    _random_watched = True
    seed, setstate = random.seed, random.setstate

    def notebook_seed(a=None, version=2):
        global _random_seeded_by_notebook
        seed(a, version)
        _random_seeded_by_notebook = a is not None

    def notebook_setstate(state):
        global _random_seeded_by_notebook
        setstate(state)
        _random_seeded_by_notebook = True

    for wrapper, wrapped in ((notebook_seed, seed), (notebook_setstate, setstate)):
        # What help() and obj? show: the wrapped method's name, docstring and signature.
        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(wrapper, name, getattr(wrapped, name))
        wrapper.__wrapped__ = wrapped
    random.seed, random.setstate = notebook_seed, notebook_setstate


def _seed_random(request):
    """random.seed(n) without its Python wrapper (~14 k of its ~85 k fuel): what it does for an
    int is the C seed and dropping a cached gauss value. The host asks before every
    non-deterministic run (src/main/kernel/README.md); a seed the notebook set stays."""
    import random
    if _random_seeded_by_notebook:
        return _OK
    if not _random_watched:
        _watch_random_seed(random)
    seed = request["seed"]
    generator = random._inst
    if type(seed) is int and type(generator) is random.Random:
        _random.Random.seed(generator, seed)
        generator.gauss_next = None
    else:
        generator.seed(seed)
    return _OK


def _warm(request):
    import importlib
    modules = request.get("modules", COMMON_MODULES)
    imported, failed = [], []
    for name in modules:
        try:
            importlib.import_module(str(name))
            imported.append(name)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    if "IPython.core.fuelbook_magics" in imported:
        _prime_ipython()
    _install_cell_line_cache(force=False)
    return {"imported": imported, "failed": failed}


def _packages(request):
    """Puts the notebook's wheels on sys.path after the stdlib, in the host's order; wheels no
    longer mounted leave sys.path (modules already imported from them stay loaded)."""
    import fuelbook_wheels
    # Imports from the wheels take their code from the wheels' bytecode caches, when mounted.
    fuelbook_wheels.install()
    folder = fuelbook_wheels.PACKAGES_DIR
    wanted = [folder + str(name) for name in request.get("wheels", ())]
    mounted = [p for p in sys.path if isinstance(p, str) and p.startswith(folder)]
    if mounted != wanted:
        fuelbook_wheels.forget()
        sys.path[:] = [p for p in sys.path if not (isinstance(p, str) and p.startswith(folder))] + wanted
        for path in mounted:
            if path not in wanted:
                sys.path_importer_cache.pop(path, None)
    return {"wheels": len(wanted)}


def _bytecode(request):
    """Compiles a mounted wheel's modules for its bytecode cache (runtime/site/fuelbook_wheels.py),
    a part at a time: a reply must stay well under the host's record cap."""
    import fuelbook_wheels
    return fuelbook_wheels.compile_wheel(
        str(request["wheel"]), int(request.get("start", 0)), int(request.get("maxBytes", 4_000_000)))


def _alive(_request):
    """Whether the next cell can run: what run_cell takes from the interpreter is still there.
    The host asks after every run it would keep, so a cell that broke the driver (say
    sys.modules.clear()) is not kept (src/main/kernel/README.md, a broken interpreter)."""
    main = sys.modules.get("__main__")
    if not isinstance(main, type(sys)):
        raise RuntimeError("sys.modules has no __main__ module any more")
    if not isinstance(main.__dict__, dict):
        raise RuntimeError("__main__ has no namespace any more")
    return _OK


def _prime_ipython():
    """Do once what the first magic cell would: tokenize's regexes (compiled on first use,
    ~30 M fuel) and the shell with its magics table."""
    _ipython_syntax("%time pass\n")
    get_ipython()


def _profile(request):
    """Arms the fuel profiler for the next cell (runtime/site/fuelbook_profile.py). Imported here,
    when asked: an unprofiled run runs exactly the code it ran before the profiler existed."""
    import fuelbook_profile
    return fuelbook_profile.arm(request)


# A command's reply {"ok": true}, sent as made once: encoding a reply costs more fuel than most
# commands themselves.
_OK = {"ok": True}
_OK_JSON = b'{"ok":true}'
# Commands that print nothing: no streams to flush after them (~10 k fuel). The host sends them
# around every run (src/main/sandbox/machine.ts).
_QUIET_COMMANDS = frozenset(("seed_random", "execution_count", "alive"))

_COMMANDS = {
    "variables": _variables,
    "complete": _complete,
    "inspect": _inspect,
    "seed_random": _seed_random,
    "execution_count": _set_execution_count,
    "warm": _warm,
    "packages": _packages,
    "bytecode": _bytecode,
    "alive": _alive,
    "profile": _profile,
}


def call(request_json):
    try:
        request = _json_loads(request_json)
        op = request.get("op") if isinstance(request, dict) else None
        handler = _COMMANDS.get(op)
        if handler is None:
            reply = {"error": f"unknown op: {op}"}
        else:
            reply = handler(request)
    except Exception as exc:
        op = None
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    if reply is _OK:
        _fuelbook.emit(KIND_REPLY, _OK_JSON)
    else:
        _send(KIND_REPLY, reply)
    if op not in _QUIET_COMMANDS:
        _flush_streams()


# ---- start-up ------------------------------------------------------------------------------

def _install_site_builtins():
    """What site.py would add (fb_init runs without site): exit, quit, help, copyright..."""
    import _sitebuiltins
    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    builtins.help = _sitebuiltins._Helper()
    builtins.copyright = _sitebuiltins._Printer("copyright", sys.copyright)
    builtins.credits = _sitebuiltins._Printer(
        "credits", "Thanks to CWI, CNRI, BeOpen.com, Zope Corporation and a cast of thousands\n"
        "    for supporting Python development.  See www.python.org for more information.")
    builtins.license = _sitebuiltins._Printer(
        "license", "See https://www.python.org/psf/license/ and resources/python/LICENSE.")


def _ordered_stderr():
    """sys.stderr that flushes stdout before it writes, so a cell's output keeps the order it was
    printed in (a warning or a `!cmd` notice after a print comes after it), as in a terminal:
    stdout is block-buffered here (LINE_BUFFERING) and stderr is not."""
    import io

    class OrderedStderr(io.TextIOWrapper):
        def write(self, text):
            out = sys.stdout
            if out is not None and out is not self:
                try:
                    out.flush()
                except Exception:
                    pass
            return super().write(text)

    err = sys.stderr
    if type(err) is not io.TextIOWrapper:
        return  # not the interpreter's own stream (a test harness capturing it): leave it be
    ordered = OrderedStderr(err.detach(), encoding=err.encoding, errors=err.errors, line_buffering=True)
    sys.stderr = sys.__stderr__ = ordered


def init():
    _install_site_builtins()
    try:
        _ordered_stderr()
    except Exception:
        pass
    builtins.display = display
    builtins.clear_output = clear_output
    builtins.get_ipython = get_ipython
    builtins.input = _no_input
    time.sleep = _sleep
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=LINE_BUFFERING if stream is sys.stdout else True)
        except Exception:
            pass
    import importlib
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # The working folder is importable, as Jupyter's '' on sys.path makes it: a module the
    # notebook wrote (%%writefile helper.py) imports by name. After the standard library, so
    # that a file named like a stdlib module does not shadow it and stdlib imports never look
    # in the folder; before the notebook's wheels (_packages appends them).
    if "" not in sys.path:
        sys.path.append("")
    _flush_streams()
