"""The notebook's shell: what get_ipython() returns (IPython's InteractiveShell API, in part).

Cells are run by the Fuelbook cell driver (runtime/fuelbook_driver.py); this object is what IPython
syntax turns into (`%time x` -> get_ipython().run_line_magic('time', 'x')) and what libraries
ask for: the user namespace, the magics table, config. Magics are plain functions in a table,
so that a feature can replace one (register_magic_function) without touching the others; the
built-in ones are in IPython/core/fuelbook_magics.py.
"""
import ast
import re
import sys

import fuelbook_driver as _driver
from IPython.core.error import UsageError

__all__ = ["InteractiveShell", "SList"]

SHELL_UNAVAILABLE = "shell commands are not available in the sandbox"


def shell_unavailable(written):
    """The one line a shell command gets instead of running: `written` as the user wrote it."""
    print(f"{SHELL_UNAVAILABLE}: {written} was not run", file=sys.stderr)


class SList(list):
    """The list of lines that `x = !cmd` gives (IPython.utils.text.SList, in part)."""

    @property
    def s(self):
        return " ".join(self)

    @property
    def n(self):
        return "\n".join(self)

    @property
    def l(self):  # noqa: E743 - IPython's name
        return list(self)

    p = l


class Config(dict):
    """%config settings by class: config['InlineBackend']['figure_format'] (and attributes)."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.setdefault(name, Config())

    def __missing__(self, name):
        # A section (a class name: capitalised) comes into being when first named, as in
        # traitlets' Config: `%config Completer.use_jedi = False` as a notebook's first line.
        if isinstance(name, str) and name[:1].isupper():
            return self.setdefault(name, Config())
        raise KeyError(name)

    def __setattr__(self, name, value):
        self[name] = value


class MagicsManager:
    """The magics table: magics['line'][name] / magics['cell'][name] -> function."""

    def __init__(self, shell):
        self.shell = shell
        self.magics = {"line": {}, "cell": {}}

    def register_function(self, func, magic_kind="line", magic_name=None):
        if magic_kind not in ("line", "cell", "line_cell"):
            raise ValueError(f"magic_kind must be 'line', 'cell' or 'line_cell', not {magic_kind!r}")
        name = magic_name or func.__name__
        kinds = ("line", "cell") if magic_kind == "line_cell" else (magic_kind,)
        for kind in kinds:
            self.magics[kind][name] = func

    def register(self, *magic_objects):
        for obj in magic_objects:
            if isinstance(obj, type):
                obj = obj(shell=self.shell)
            for kind, table in getattr(obj, "magics", {}).items():
                for name, method_name in table.items():
                    self.magics[kind][name] = getattr(obj, method_name)

    def lsmagic(self):
        return self.magics


_EXPAND_NAME = re.compile(r"(?<![\\$])\$(\w+)|\{([^{}]+)\}")


class InteractiveShell:
    """get_ipython(): run_line_magic, run_cell_magic, user_ns, register_magic_function, ..."""

    _instance = None

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    @classmethod
    def initialized(cls):
        return cls._instance is not None

    def __init__(self):
        self.magics_manager = MagicsManager(self)
        self.config = Config()
        # Where the running magic's code was written, as (cell filename, line, column): "line"
        # for the arguments after %name, "body" for a cell magic's body.
        self._origin = {}
        from IPython.core import fuelbook_magics

        fuelbook_magics.register_builtin_magics(self)

    # ---- namespace ------------------------------------------------------------------------

    @property
    def user_ns(self):
        return sys.modules["__main__"].__dict__

    user_global_ns = user_ns

    @property
    def user_ns_hidden(self):
        return _driver.hidden_variables()

    @property
    def execution_count(self):
        return _driver.current_cell()[2]

    def push(self, variables, interactive=True):
        if isinstance(variables, str):
            frame = sys._getframe(1)
            variables = {name: eval(name, frame.f_globals, frame.f_locals) for name in variables.split()}
        self.user_ns.update(variables)

    def del_var(self, varname, by_name=False):
        self.user_ns.pop(varname, None)

    def ev(self, expr):
        return eval(expr, self.user_ns)

    def ex(self, cmd):
        exec(cmd, self.user_ns)

    def transform_cell(self, raw_cell):
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(raw_cell)

    # ---- magics ---------------------------------------------------------------------------

    def find_line_magic(self, magic_name):
        return self.magics_manager.magics["line"].get(magic_name)

    def find_cell_magic(self, magic_name):
        return self.magics_manager.magics["cell"].get(magic_name)

    def find_magic(self, magic_name, magic_kind="line"):
        return self.magics_manager.magics[magic_kind].get(magic_name)

    def register_magic_function(self, func, magic_kind="line", magic_name=None):
        self.magics_manager.register_function(func, magic_kind, magic_name)

    def register_magics(self, *objs):
        self.magics_manager.register(*objs)

    def run_line_magic(self, magic_name, line, _stack_depth=1):
        __tracebackhide__ = True
        return self._run_magic("line", magic_name, line, None, sys._getframe(_stack_depth))

    def run_cell_magic(self, magic_name, line, cell):
        __tracebackhide__ = True
        return self._run_magic("cell", magic_name, line, cell, sys._getframe(1))

    def _run_magic(self, kind, magic_name, line, cell, frame):
        """Find the magic (IPython's UsageError if there is none), expand $name and {expr} in
        its line unless it opts out, and call it knowing where in the cell it was written."""
        __tracebackhide__ = True
        fn = self.find_magic(magic_name, kind)
        if fn is None:
            other = "cell" if kind == "line" else "line"
            hint = ""
            if self.find_magic(magic_name, other) is not None:
                escape = "%%" if other == "cell" else "%"
                hint = f" (But {other} magic `{escape}{magic_name}` exists, did you mean that instead?)"
            what = f"Line magic function `%{magic_name}`" if kind == "line" else f"Cell magic `%%{magic_name}`"
            raise UsageError(f"{what} not found{hint}.")
        if not getattr(fn, "no_var_expand", False):
            line = self.var_expand(line, frame)
        outer = self._origin
        filename, lineno = frame.f_code.co_filename, frame.f_lineno
        self._origin = {"line": self._line_origin(filename, lineno, magic_name, line)}
        if cell is not None:
            self._origin["body"] = (filename, lineno + 1, 0)
        try:
            return fn(line) if cell is None else fn(line, cell)
        finally:
            self._origin = outer

    def magic(self, arg_s):
        """IPython's old spelling: magic('name args')."""
        __tracebackhide__ = True
        name, _, line = arg_s.lstrip("%").partition(" ")
        return self.run_line_magic(name, line, _stack_depth=2)

    @staticmethod
    def _line_origin(filename, lineno, magic_name, line):
        """(filename, line, column) of a magic's arguments: after `%name ` on its line."""
        source = _driver.cell_source(filename)
        lines = source.splitlines()
        text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
        marker = f"%{magic_name}"
        column = text.find(marker)
        if column >= 0 and line:
            found = text.find(line.split("\n", 1)[0].strip(), column + len(marker))
            column = found if found >= 0 else 0
        else:
            column = 0
        return filename, lineno, len(text[:column].encode("utf-8"))

    def var_expand(self, cmd, frame=None):
        """IPython's expansion of $name and {expression} in a magic's line; left as written
        where the name or expression fails."""
        if "$" not in cmd and "{" not in cmd:
            return cmd
        frame = frame or sys._getframe(1)
        namespace = dict(self.user_ns)
        namespace.update(frame.f_locals)

        def expand(match):
            expression = match.group(1) or match.group(2)
            try:
                return str(eval(expression, namespace))
            except Exception:
                return match.group(0)

        return _EXPAND_NAME.sub(expand, cmd).replace("$$", "$")

    # ---- running code the way a magic does -------------------------------------------------

    def compile_magic_code(self, code, where=None):
        """The running magic's code as an AST whose line and column numbers are the cell's own,
        so that its tracebacks and SyntaxErrors point at what the user wrote. IPython syntax
        inside it (a cell magic's body with !cmd, say) is transformed like a cell.

        where: "body" (a cell magic's body, the default for cell magics) or "line" (the
        arguments after %name)."""
        __tracebackhide__ = True
        where = where or ("body" if "body" in self._origin else "line")
        filename, lineno, column = self._origin.get(where, ("<magic>", 1, 0))
        padded = "\n" * (lineno - 1) + code
        try:
            tree, _python = _driver.parse_cell(padded, filename)
        except SyntaxError as exc:
            if column and exc.lineno == lineno:
                exc.text = _driver.cell_source(filename).splitlines()[lineno - 1] + "\n"
                if exc.offset is not None:
                    exc.offset += column
                if getattr(exc, "end_offset", None):
                    exc.end_offset += column
            raise
        if column:
            for node in ast.walk(tree):
                if getattr(node, "lineno", None) == lineno:
                    node.col_offset += column
                    if getattr(node, "end_lineno", None) == lineno:
                        node.end_col_offset += column
        return tree, filename

    def run_magic_code(self, code, namespace=None, where=None):
        """Run the magic's code in the user namespace; the value of a last expression is returned
        (as IPython's %time does)."""
        __tracebackhide__ = True
        tree, filename = self.compile_magic_code(code, where)
        return _driver.run_tree(tree, filename, self.user_ns if namespace is None else namespace)

    # ---- shell escapes: the sandbox has no processes ---------------------------------------

    def system(self, cmd):
        """!cmd: one line saying so; the rest of the cell runs."""
        shell_unavailable(f"!{cmd.strip()}")

    system_raw = system_piped = system

    def getoutput(self, cmd, split=True, depth=0):
        """x = !cmd: the line as for !cmd; x is an empty list of lines."""
        self.system(cmd)
        return SList()

    def show_usage(self):
        print(
            "Fuelbook cells understand IPython's syntax: %magic and %%cell magics (%lsmagic lists "
            "them), obj? and obj?? for help, display() for rich output, Out/_ for earlier values."
        )
