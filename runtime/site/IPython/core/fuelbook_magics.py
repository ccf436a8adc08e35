"""The magics a Fuelbook cell understands, as IPython's own behave where the sandbox allows.

Each magic is a plain function registered by name (InteractiveShell.register_magic_function), so
a feature can replace one, e.g. %pip once packages can be installed. Timing magics report fuel
too: the deterministic count of executed wasm operators (the same figure for the same code).
"""
import math
import os
import sys
import time

import fuelbook_driver as _driver
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell, shell_unavailable

_shell = InteractiveShell.instance


def _no_var_expand(fn):
    fn.no_var_expand = True
    return fn


# ---- fuel ----------------------------------------------------------------------------------

FUEL_UNAVAILABLE = "fuel not available (this runtime cannot read its fuel meter)"


def _fuel_reader():
    import _fuelbook

    return getattr(_fuelbook, "fuel", None)


def _fuel_used(before, after):
    """Fuel between two readings, whichever way the meter counts (up as used, down as left)."""
    return abs(after - before)


def _format_fuel(fuel):
    return f"{fuel:,}"


# ---- %time, %timeit ------------------------------------------------------------------------

def _format_time(timespan, precision=3):
    """IPython's time format: 1.23 ms, 456 µs, 2min 3s."""
    if timespan >= 60.0:
        parts = [("d", 60 * 60 * 24), ("h", 60 * 60), ("min", 60), ("s", 1)]
        out = []
        leftover = timespan
        for suffix, length in parts:
            value = int(leftover / length)
            if value > 0:
                leftover = leftover % length
                out.append(f"{value}{suffix}")
            if leftover < 1:
                break
        return " ".join(out)
    units = ["s", "ms", "\xb5s", "ns"]
    scaling = [1, 1e3, 1e6, 1e9]
    order = min(-int(math.floor(math.log10(timespan)) // 3), 3) if timespan > 0.0 else 3
    return "%.*g %s" % (precision, timespan * scaling[order], units[order])


@_no_var_expand
def time_magic(line="", cell=None):
    """%time statement / %%time: run once; print the wall time and the fuel it took."""
    __tracebackhide__ = True
    if line.strip() and cell is not None:
        raise UsageError("Can't use statement directly after '%%time'!")
    code = cell if cell is not None else line
    shell = _shell()
    fuel = _fuel_reader()
    tree, filename = shell.compile_magic_code(code)
    # Compiled before the clock and the meter start, as IPython does: the figures are the run's.
    compiled = _driver.compile_tree(tree, filename)
    fuel_start = fuel() if fuel else None
    wall_start = time.perf_counter()
    value = _driver.run_compiled(compiled, shell.user_ns)
    wall = time.perf_counter() - wall_start
    fuel_end = fuel() if fuel else None
    print(f"Wall time: {_format_time(wall)}")
    print(f"Fuel: {_format_fuel(_fuel_used(fuel_start, fuel_end))}" if fuel else f"Fuel: {FUEL_UNAVAILABLE}")
    return value


class TimeitResult:
    """What %timeit -o returns (IPython's TimeitResult), with the fuel of one loop."""

    def __init__(self, loops, repeat, best, worst, all_runs, compile_time, precision, fuel_per_loop=None):
        self.loops = loops
        self.repeat = repeat
        self.best = best
        self.worst = worst
        self.all_runs = all_runs
        self.compile_time = compile_time
        self._precision = precision
        self.timings = [dt / self.loops for dt in all_runs]
        self.fuel_per_loop = fuel_per_loop

    @property
    def average(self):
        return math.fsum(self.timings) / len(self.timings)

    @property
    def stdev(self):
        mean = self.average
        return (math.fsum([(x - mean) ** 2 for x in self.timings]) / len(self.timings)) ** 0.5

    def __str__(self):
        return "{mean} \xb1 {std} per loop (mean \xb1 std. dev. of {runs} run{rp}, {loops:,} loop{lp} each)".format(
            runs=self.repeat,
            loops=self.loops,
            lp="" if self.loops == 1 else "s",
            rp="" if self.repeat == 1 else "s",
            mean=_format_time(self.average, self._precision),
            std=_format_time(self.stdev, self._precision),
        )

    def fuel_line(self):
        if self.fuel_per_loop is None:
            return f"Fuel: {FUEL_UNAVAILABLE}"
        return f"Fuel: {_format_fuel(self.fuel_per_loop)} per loop"

    def _repr_pretty_(self, p, cycle):
        p.text("<TimeitResult : " + str(self) + ">")


# A measurement stops growing its loop count at this wall time (IPython's 0.2 s) or this much
# fuel, whichever comes first: 7 runs plus the search then stay within about a quarter of the
# default 400 M budget.
TIMEIT_TARGET_SECONDS = 0.2
TIMEIT_TARGET_FUEL = 10_000_000


def _parse_options(line, flags_with_values, flags):
    """Leading -x options of a magic line: ({flag: value}, rest of the line)."""
    options = {}
    words = line.split()
    index = 0
    while index < len(words) and words[index].startswith("-") and len(words[index]) > 1:
        word = words[index]
        flag = word[1]
        if flag in flags_with_values:
            value = word[2:]
            if not value:
                index += 1
                if index >= len(words):
                    raise UsageError(f"Option -{flag} needs a value.")
                value = words[index]
            options[flag] = value
        elif flag in flags and len(word) == 2:
            options[flag] = True
        else:
            break
        index += 1
    rest = line.strip()
    for word in words[:index]:
        rest = rest[rest.index(word) + len(word):].lstrip()
    return options, rest


def _positive_int(options, flag, default):
    if flag not in options:
        return default
    try:
        value = int(options[flag])
    except ValueError:
        raise UsageError(f"Option -{flag} needs a whole number, not {options[flag]!r}.") from None
    if value < 1:
        raise UsageError(f"Option -{flag} must be at least 1.")
    return value


@_no_var_expand
def timeit_magic(line="", cell=None):
    """%timeit [-n N] [-r R] [-p P] [-q] [-o] statement / %%timeit [options] [setup]: time many
    loops; print mean ± std. dev. of the wall time per loop and the fuel of one loop."""
    __tracebackhide__ = True
    options, statement = _parse_options(line, "nrp", "qotc")
    repeat = _positive_int(options, "r", 7)
    precision = _positive_int(options, "p", 3)
    number = _positive_int(options, "n", 0) if "n" in options else 0
    setup = "pass"
    if cell is not None:
        setup, statement = statement or "pass", cell
    if not statement.strip():
        raise UsageError("%timeit needs a statement to time.")
    shell = _shell()
    namespace = shell.user_ns
    compile_start = time.perf_counter()
    statement_tree, filename = shell.compile_magic_code(statement)
    setup_tree = shell.compile_magic_code(setup, "line")[0] if cell is not None else None
    statement_code = compile(statement_tree, filename, "exec", dont_inherit=True)
    setup_code = compile(setup_tree, filename, "exec", dont_inherit=True) if setup_tree else None
    compile_time = time.perf_counter() - compile_start
    fuel = _fuel_reader()
    clock = time.perf_counter

    def measure(loops):
        __tracebackhide__ = True
        if setup_code is not None:
            exec(setup_code, namespace)
        fuel_start = fuel() if fuel else 0
        start = clock()
        for _ in range(loops):
            exec(statement_code, namespace)
        elapsed = clock() - start
        return elapsed, (_fuel_used(fuel_start, fuel()) if fuel else 0)

    if number == 0:
        number = 1
        for step in _loop_counts():
            number = step
            elapsed, used = measure(number)
            if elapsed >= TIMEIT_TARGET_SECONDS or (fuel and used >= TIMEIT_TARGET_FUEL):
                break
    all_runs, fuel_runs = [], []
    for _ in range(repeat):
        elapsed, used = measure(number)
        all_runs.append(elapsed)
        fuel_runs.append(used)
    best, worst = min(all_runs) / number, max(all_runs) / number
    fuel_per_loop = round(min(fuel_runs) / number) if fuel else None
    result = TimeitResult(number, repeat, best, worst, all_runs, compile_time, precision, fuel_per_loop)
    if not options.get("q"):
        if worst > 4 * best and best > 0 and worst > 1e-6:
            print(
                "The slowest run took %0.2f times longer than the fastest. "
                "This could mean that an intermediate result is being cached." % (worst / best)
            )
        print(result)
        print(result.fuel_line())
    return result if options.get("o") else None


def _loop_counts():
    """1, 2, 5, 10, 20, 50, ... (the standard library's Timer.autorange steps)."""
    base = 1
    while True:
        for step in (1, 2, 5):
            yield base * step
        base *= 10


# ---- namespace: %who, %whos, %who_ls, %reset -------------------------------------------------

def who_ls(parameter_s=""):
    """%who_ls [type ...]: sorted names of the user's variables (of those types)."""
    types = set(parameter_s.split())
    return sorted(
        name for name, value in _driver.user_variables(_shell().user_ns)
        if not types or type(value).__name__ in types
    )


def who(parameter_s=""):
    """%who [type ...]: the user's variables, as IPython prints them."""
    names = who_ls(parameter_s)
    if not names:
        print("No variables match your requested type." if parameter_s else "Interactive namespace is empty.")
        return
    count = 0
    for name in names:
        print(name + "\t", end=" ")
        count += 1
        if count > 8:
            count = 0
            print()
    print()


def whos(parameter_s=""):
    """%whos [type ...]: a table of the user's variables with type and value."""
    names = who_ls(parameter_s)
    if not names:
        print("No variables match your requested type." if parameter_s else "Interactive namespace is empty.")
        return
    namespace = _shell().user_ns
    values = [namespace[name] for name in names]
    type_names = [type(value).__name__ for value in values]
    var_width = max(max(map(len, names)), len("Variable")) + 3
    type_width = max(max(map(len, type_names)), len("Type")) + 3
    print("Variable".ljust(var_width) + "Type".ljust(type_width) + " Data/Info\n" + "-" * (var_width + type_width + 10))
    for name, value, type_name in zip(names, values, type_names):
        print(name.ljust(var_width) + type_name.ljust(type_width), end=" ")
        if type_name in ("dict", "list", "tuple"):
            print("n=" + str(len(value)))
            continue
        try:
            text = str(value)
        except Exception:
            text = "<object with id %d (str() failed)>" % id(value)
        text = text.replace("\n", "\\n")
        print(text if len(text) < 50 else text[:25] + "<...>" + text[-25:])


def reset(parameter_s=""):
    """%reset -f: delete every variable and the In/Out history (the cell cannot ask first, so
    -f is required). %reset -s: keep the history."""
    options, rest = _parse_options(parameter_s, "", "fs")
    if not options.get("f"):
        print(
            "%reset deletes every variable. A notebook cell cannot ask to confirm: "
            "run %reset -f to do it.",
            file=sys.stderr,
        )
        return
    namespace = _shell().user_ns
    for name in list(namespace):
        if not (name.startswith("__") and name.endswith("__")):
            del namespace[name]
    if not options.get("s"):
        _driver.clear_history()


def reset_selective(parameter_s=""):
    """%reset_selective -f regex: delete the user's variables whose names match (re.search), as
    IPython's; the cell cannot ask first, so -f is required."""
    import re

    options, pattern = _parse_options(parameter_s, "", "f")
    if not options.get("f"):
        print(
            "%reset_selective deletes variables. A notebook cell cannot ask to confirm: "
            "run %reset_selective -f regex to do it.",
            file=sys.stderr,
        )
        return
    if not pattern.strip():
        print("No regex pattern specified. Nothing done.")
        return
    matcher = re.compile(pattern.strip())
    namespace = _shell().user_ns
    for name in who_ls():
        if matcher.search(name):
            del namespace[name]


def xdel(parameter_s=""):
    """%xdel [-n] name: delete a variable and, without -n, every other name in the namespace and
    every Out entry that holds the same object, as IPython's."""
    options, name = _parse_options(parameter_s, "", "n")
    name = name.strip()
    namespace = _shell().user_ns
    try:
        if name in ("__builtin__", "__builtins__"):
            raise ValueError(f"Refusing to delete {name}")
        if options.get("n"):
            namespace.pop(name, None)
            return
        try:
            obj = namespace[name]
        except KeyError:
            raise NameError(f"name '{name}' is not defined") from None
        for refs in (namespace, _driver.hidden_variables()["Out"]):
            for key in [key for key, value in refs.items() if value is obj]:
                del refs[key]
    except (NameError, ValueError) as exc:
        print(f"{type(exc).__name__}: {exc}")


# ---- accepted settings: %matplotlib, %config, %load_ext ---------------------------------------

def matplotlib(line=""):
    """%matplotlib [inline]: figures are always shown inline; the backend name is kept."""
    _shell().config.InlineBackend.backend = line.strip() or "inline"


def config(line=""):
    """%config Class.trait = value: kept in get_ipython().config (InlineBackend.figure_format is
    what matplotlib output reads). %config alone lists what was set."""
    import ast

    shell = _shell()
    text = line.strip()
    if not text:
        print("Settings:" if shell.config else "Nothing set with %config yet.")
        for section, values in shell.config.items():
            for key, value in values.items():
                print(f"  {section}.{key} = {value!r}")
        return
    target, equals, value_text = text.partition("=")
    section, dot, key = target.strip().partition(".")
    if not equals or not dot or not key:
        raise UsageError(f"%config needs Class.trait = value, not {text!r}.")
    try:
        value = ast.literal_eval(value_text.strip())
    except (ValueError, SyntaxError):
        value = value_text.strip()
    shell.config[section][key.strip()] = value


_BUILTIN_EXTENSIONS = ("autoreload", "storemagic")


def load_ext(module_str=""):
    """%load_ext name: imports the module and calls its load_ipython_extension(get_ipython())."""
    import importlib

    name = module_str.strip()
    if not name:
        raise UsageError("Missing module name.")
    module_name = f"IPython.extensions.{name}" if name in _BUILTIN_EXTENSIONS else name
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        print(
            f"The extension {name!r} is not available: no module named {name!r} in the sandbox's Python.",
            file=sys.stderr,
        )
        return
    load = getattr(module, "load_ipython_extension", None)
    if load is None:
        print(f"The module {name!r} is not an IPython extension (it has no load_ipython_extension).", file=sys.stderr)
        return
    load(_shell())


def pip(line=""):
    """%pip that reached the kernel: the notebook app runs %pip lines written at a cell's top
    level before the cell (src/main/packages); one here (inside a block, or in a run without a
    notebook) was not run, and one line says so, for both cases."""
    print(
        f"%pip {line.strip()}: not run: packages install into a notebook, from %pip lines on their "
        "own top-level line of a cell (not indented, not inside if/for/def), before the cell runs; "
        "a run without a notebook (fuelbook exec, runPython) installs none. The rest of the cell runs.",
        file=sys.stderr,
    )


def conda(line=""):
    """%conda: as %pip."""
    pip(line)


# ---- files, directories, environment ----------------------------------------------------------

def run(parameter_s=""):
    """%run [-i] file.py [args]: run a Python file from the sandbox; its names land in the
    notebook (-i: it also sees the notebook's)."""
    import shlex

    __tracebackhide__ = True
    options, rest = _parse_options(parameter_s, "", "i")
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        raise UsageError(f"%run: {exc}") from None
    if not words:
        raise UsageError("%run needs a file name.")
    path = words[0]
    if not os.path.isfile(path) and os.path.isfile(path + ".py"):
        path += ".py"
    if not os.path.isfile(path):
        raise UsageError(f"File {words[0]!r} not found.")
    if not path.endswith((".py", ".ipy")):
        raise UsageError(f"%run runs Python files (.py); {path!r} is not one.")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    user_ns = _shell().user_ns
    namespace = user_ns if options.get("i") else {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    saved_argv = sys.argv
    sys.argv = [path] + words[1:]
    try:
        exec(compile(source, os.path.abspath(path), "exec", dont_inherit=True), namespace)
    finally:
        sys.argv = saved_argv
        if namespace is not user_ns:
            user_ns.update({k: v for k, v in namespace.items() if not (k.startswith("__") and k.endswith("__"))})


def writefile(line, cell):
    """%%writefile [-a] file: write (or append) the cell's body to a sandbox file."""
    options, rest = _parse_options(line, "", "a")
    path = rest.strip().strip("'\"")
    if not path:
        raise UsageError("%%writefile needs a file name.")
    path = os.path.expanduser(path)
    exists = os.path.exists(path)
    if options.get("a"):
        print(f"Appending to {path}")
    else:
        print(f"{'Overwriting' if exists else 'Writing'} {path}")
    with open(path, "a" if options.get("a") else "w", encoding="utf-8") as f:
        f.write(cell)


def env(parameter_s=""):
    """%env, %env NAME, %env NAME=value (or NAME value): the process environment."""
    text = parameter_s.strip()
    if not text:
        return dict(os.environ)
    if "=" in text or " " in text:
        name, _, value = text.partition("=") if "=" in text else text.partition(" ")
        name, value = name.strip(), value.strip()
        os.environ[name] = value
        print(f"env: {name}={value}")
        return None
    try:
        return os.environ[text]
    except KeyError:
        raise UsageError(f"Environment does not have key: {text}") from None


def cd(parameter_s=""):
    """%cd folder: change the working directory in the sandbox and print it."""
    target = parameter_s.strip().strip("'\"") or os.environ.get("HOME") or "/tmp"
    try:
        os.chdir(os.path.expanduser(target))
    except OSError as exc:
        print(f"[Errno {exc.errno}] {exc.strerror}: {target!r}", file=sys.stderr)
        return
    print(os.getcwd())


def pwd(parameter_s=""):
    """%pwd: the working directory."""
    return os.getcwd()


# ---- rich-output cell magics ------------------------------------------------------------------

def _display_as(kind):
    def show(line, cell):
        import IPython.display as display_module

        _driver.display(getattr(display_module, kind)(cell))

    show.__name__ = kind.lower()
    show.__doc__ = f"%%{kind.lower()}: show the cell's body as {kind}."
    return show


def capture(line, cell):
    """%%capture [--no-stdout] [--no-stderr] [--no-display] [name]: run the body with its
    output kept in a CapturedIO (shown later with name.show() or name())."""
    __tracebackhide__ = True
    from IPython.utils.capture import capture_output

    words = line.split()
    flags = {w for w in words if w.startswith("--")}
    unknown = flags - {"--no-stdout", "--no-stderr", "--no-display"}
    if unknown:
        raise UsageError(f"%%capture: unknown option {sorted(unknown)[0]}.")
    names = [w for w in words if not w.startswith("--")]
    shell = _shell()
    displays = "--no-display" not in flags
    with capture_output("--no-stdout" not in flags, "--no-stderr" not in flags, displays) as io:
        value = shell.run_magic_code(cell)
        if value is not None and displays:
            # The body's last value is captured with its displays, as IPython's capturing
            # displayhook does: io.outputs has it, io.show() shows it.
            data, metadata = _driver.mime_bundle(value)
            if data:
                _driver.publish_display_data(data, metadata)
            value = None
    if names:
        shell.user_ns[names[0]] = io
    # --no-display: the value is the cell's Out, as IPython's own displayhook shows it.
    return value


# ---- shell escapes and help -------------------------------------------------------------------

def system(line="", cell=None):
    """!cmd, %system, %sx, %%bash, %%sh, %%script: the sandbox has no processes; one line says so."""
    command = cell if cell is not None else line
    first = command.strip().split("\n", 1)[0]
    shell_unavailable(repr(first))


def pinfo(parameter_s="", detail_level=0):
    """obj? (obj?? with source): signature, docstring, file and type, as IPython shows them."""
    from IPython.core.oinspect import info_text

    name, found, obj = _inspected(parameter_s)
    if found:
        print(info_text(obj, name, detail_level))


def pinfo2(parameter_s=""):
    pinfo(parameter_s, detail_level=1)


def _lookup(name, namespace):
    import builtins

    if name.startswith("%"):
        shell = _shell()
        magic = shell.find_line_magic(name.lstrip("%")) or shell.find_cell_magic(name.lstrip("%"))
        return magic is not None, magic
    head, *rest = name.split(".")
    if head in namespace:
        obj = namespace[head]
    elif hasattr(builtins, head):
        obj = getattr(builtins, head)
    else:
        return False, None
    for part in rest:
        try:
            obj = getattr(obj, part)
        except Exception:
            return False, None
    return True, obj


def _inspected(parameter_s):
    """The object a pinfo-style magic names, or a line saying it is not found."""
    name = parameter_s.strip()
    found, obj = _lookup(name, _shell().user_ns)
    if not found:
        print(f"Object `{name}` not found.")
    return name, found, obj


def pdef(parameter_s=""):
    """%pdef obj: the call signature of a callable, as IPython prints it (obj? shows the same)."""
    from IPython.core.oinspect import _definition

    name, found, obj = _inspected(parameter_s)
    if found:
        print(_definition(obj, name) or f"No definition header found for {name}")


def pdoc(parameter_s=""):
    """%pdoc obj: the docstring of an object."""
    from IPython.core.oinspect import _getdoc

    name, found, obj = _inspected(parameter_s)
    if found:
        print(_getdoc(obj) or f"No documentation found for {name}")


def psource(parameter_s=""):
    """%psource obj: the source of an object, cells' functions and classes included."""
    from IPython.core.oinspect import _source

    name, found, obj = _inspected(parameter_s)
    if found:
        source = _source(obj)
        print(source.rstrip("\n") if source else f"No source found for {name}")


def set_env(parameter_s=""):
    """%set_env NAME value (or NAME=value): as %env NAME=value."""
    text = parameter_s.strip()
    if not text or ("=" not in text and " " not in text):
        raise UsageError("usage is 'set_env var=val' or 'set_env var val'")
    env(text)


def autosave(parameter_s=""):
    """%autosave N: the classic notebook's autosave interval. Fuelbook saves every change as it
    happens, so nothing changes; one line says so."""
    print("Fuelbook saves every change as it happens: %autosave changes nothing.")


def reload_ext(module_str=""):
    """%reload_ext name: as %load_ext (each extension module is imported once per kernel)."""
    load_ext(module_str)


def javascript(line, cell):
    """%%javascript / %%js: kept as the cell's output (an .ipynb export carries it), never run:
    Fuelbook runs no script from a cell's output; its text says so."""
    _driver.display(
        {
            "application/javascript": cell,
            "text/plain": "[JavaScript output: Fuelbook does not run scripts from cells]",
        },
        raw=True,
    )


def lsmagic(parameter_s=""):
    """%lsmagic: the magics this notebook understands."""
    magics = _shell().magics_manager.magics
    print("Available line magics:")
    print("  ".join("%" + name for name in sorted(magics["line"])))
    print()
    print("Available cell magics:")
    print("  ".join("%%" + name for name in sorted(magics["cell"])))


def precision(parameter_s=""):
    """%precision [N | format]: how Out values and displays print floats, as IPython's: N digits
    after the point ("%.Nf"), a %-format string, or nothing for repr again. Returns the format."""
    text = parameter_s.strip()
    if "%" in text:
        try:
            text % 3.14159
        except Exception:
            raise UsageError(f"Precision must be int or format string, not {text!r}") from None
        fmt = text
    elif text:
        try:
            digits = int(text)
        except ValueError:
            raise UsageError(f"Precision must be int or format string, not {text!r}") from None
        if digits < 0:
            raise UsageError(f"int precision must be non-negative, not {digits!r}")
        fmt = f"%.{digits}f"
    else:
        fmt = None
    _driver.float_format = fmt
    return "%r" if fmt is None else fmt


def pprint(parameter_s=""):
    """%pprint: Out values pretty-printed (the default) or shown with plain repr(), as IPython's."""
    _driver.pretty_printing = not _driver.pretty_printing
    print("Pretty printing has been turned", "ON" if _driver.pretty_printing else "OFF")


# IPython's default aliases on POSIX: shell commands, which the sandbox does not run.
SHELL_ALIASES = ("cat", "clear", "cp", "ldir", "less", "lf", "lk", "ll", "ls", "lx", "man", "mkdir", "more", "mv", "rm", "rmdir")


def _shell_alias(name):
    def alias(line=""):
        shell_unavailable(f"%{name} {line}".strip())

    alias.__name__ = name
    alias.__doc__ = f"%{name}: IPython's alias for the shell command; the sandbox has no processes (use os, shutil, pathlib)."
    return alias


XMODES = ("Plain", "Context", "Verbose", "Minimal")


def xmode(parameter_s=""):
    """%xmode [Plain|Context|Verbose|Minimal]: how exceptions are reported. Minimal shows the
    exception's own line only; the others show the traceback with the cells' lines (Verbose lists
    no local variables here). No argument: the next mode in turn, as IPython does."""
    name = parameter_s.strip().capitalize()
    if not name:
        name = XMODES[(XMODES.index(_driver.traceback_mode) + 1) % len(XMODES)]
    if name not in XMODES:
        raise UsageError(f"Unrecognized mode: {parameter_s.strip()!r}. Valid modes: {', '.join(XMODES)}")
    _driver.traceback_mode = name
    print(f"Exception reporting mode: {name}")


@_no_var_expand
def prun(parameter_s="", cell=None):
    """%prun [-s key] [-l limit] [-q] statement / %%prun: run under cProfile and print pstats'
    table, as IPython does (sorted by internal time unless -s says otherwise). Times come from
    the sandbox's clock; for a deterministic cost per line and function use %%fuelprof."""
    __tracebackhide__ = True
    import cProfile
    import pstats

    options, statement = _parse_options(parameter_s, "sl", "q")
    code = cell if cell is not None else statement
    shell = _shell()
    tree, filename = shell.compile_magic_code(code)
    compiled = _driver.compile_tree(tree, filename)
    namespace = shell.user_ns
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        _driver.run_compiled(compiled, namespace)
    finally:
        profiler.disable()
    if options.get("q"):
        return None
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats(options.get("s", "time"))
    limit = options.get("l")
    if limit is None:
        stats.print_stats()
    else:
        try:
            stats.print_stats(float(limit) if "." in limit else int(limit))
        except ValueError:
            stats.print_stats(limit)  # a regular expression, as pstats takes it
    return None


def history(parameter_s=""):
    """%history [-n] [-t] [ranges]: this kernel's cells as written (-t: the Python they ran as),
    oldest first, as IPython prints them; -n numbers them; ranges as IPython's: 4, 4-6 (6
    included), 4:6 (6 left out)."""
    import re

    options, rest = _parse_options(parameter_s, "", "nt")
    inputs = _driver.hidden_variables()["In"]
    if not options.get("t"):
        # The cells as written are the _iN the driver sets (kept nowhere else: no cost per cell).
        namespace = _shell().user_ns
        inputs = [namespace.get(f"_i{number}", text) for number, text in enumerate(inputs)]
    numbers = []
    for word in rest.split():
        match = re.fullmatch(r"(\d+)(?:([-:])(\d+))?", word)
        if match is None:
            raise UsageError("%history takes -n, -t and ranges (4, 4-6, 4:6) here (no sessions, files or searches).")
        first = int(match[1])
        last = first if match[2] is None else int(match[3]) - (match[2] == ":")
        numbers.extend(range(first, last + 1))
    for number in numbers if rest.split() else range(1, len(inputs)):
        if not 0 < number < len(inputs):
            continue
        text = inputs[number].expandtabs(4).rstrip()
        if options.get("n"):
            print(f"{number:>4}:" + ("\n" if "\n" in text else " "), end="")
        print(text)


def tb(parameter_s=""):
    """%tb: the last error's traceback again, as the cell that raised it showed it."""
    if parameter_s.strip():
        raise UsageError("%tb takes no mode here; %xmode sets how errors are reported.")
    exc = getattr(sys, "last_value", None)
    if exc is None:
        print("No traceback available to show.")  # IPython's words
        return
    print("\n".join(_driver.error_lines(exc, getattr(sys, "last_traceback", None))))


def pycat(parameter_s=""):
    """%pycat file: a file's text (IPython pages it in colour; here it is printed)."""
    name = parameter_s.strip()
    if not name:
        raise UsageError("%pycat needs a file name.")
    try:
        with open(name, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        raise UsageError(f"%pycat: {exc.strerror}: {name!r}") from None
    print(text, end="" if text.endswith("\n") else "\n")


def _unavailable(name, reason):
    def magic(parameter_s="", cell=None):
        raise UsageError(f"%{name} is not available in Fuelbook: {reason}")

    magic.__name__ = name
    magic.__doc__ = f"%{name}: not available ({reason})"
    return magic


_NO_DEBUGGER = "the debugger reads commands from input, and cells take no input. Print the values you need."
UNAVAILABLE = {
    "debug": _NO_DEBUGGER,
    "pdb": _NO_DEBUGGER,
    "store": "a notebook keeps its variables in its file (the kernel state is saved with it).",
    "load": "it replaces this cell's text with the file's, which only the notebook's editor can do. %pycat FILE shows the file; %run FILE runs it.",
    "pylab": "it imports numpy and matplotlib, which the runtime does not have (the Python standard library and pure-Python packages only).",
}


def fuelprof(line, cell):
    """%%fuelprof: run the cell under the fuel profiler; print its costliest lines and functions
    (the app also shows the profile with the cell). runtime/README.md, "Fuel profile"."""
    __tracebackhide__ = True
    import fuelbook_profile
    shell = _shell()
    tree, filename = shell.compile_magic_code(cell)
    return fuelbook_profile.profile_magic(tree, filename, shell.user_ns)


def register_builtin_magics(shell):
    register = shell.register_magic_function
    register(time_magic, "line_cell", "time")
    register(timeit_magic, "line_cell", "timeit")
    for fn in (who, whos, who_ls, reset, matplotlib, config, load_ext, pip, conda, run, env, cd, pwd, pinfo, pinfo2, lsmagic):
        register(fn, "line")
    register(system, "line", "system")
    register(system, "line", "sx")
    for name in ("bash", "sh", "script", "system"):
        register(system, "cell", name)
    for kind in ("HTML", "Markdown", "Latex", "SVG"):
        register(_display_as(kind), "cell", kind.lower())
    register(capture, "cell")
    register(writefile, "cell")
    register(writefile, "cell", "file")  # IPython's other name for it
    register(fuelprof, "cell")
    register(xmode, "line")
    register(precision, "line")
    register(pprint, "line")
    register(reset_selective, "line")
    register(xdel, "line")
    for fn in (pdef, pdoc, psource, set_env, autosave, reload_ext):
        register(fn, "line")
    register(javascript, "cell")
    register(javascript, "cell", "js")
    register(history, "line")
    register(tb, "line")
    register(pycat, "line")
    register(prun, "line_cell", "prun")
    for name in SHELL_ALIASES:
        register(_shell_alias(name), "line", name)
    for name, reason in UNAVAILABLE.items():
        register(_unavailable(name, reason), "line", name)
