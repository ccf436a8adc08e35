"""obj? and obj??: what IPython's object inspector prints (IPython.core.oinspect, its text form).

Fields and their order follow IPython 8's Inspector._get_info: Signature, Docstring (or Source for
??), File, Type for functions and classes; Type, String form, Length, File, Docstring for other
objects. Sources come from inspect, so they show for the stdlib and for earlier cells.
"""
import ast
import inspect
import types
from textwrap import dedent

__all__ = ["info_text"]

_STRING_MAX = 200
_object_init_docstring = inspect.getdoc(object.__init__)
# Class docstrings obj? leaves out: Python's own, which say nothing of the object (IPython leaves
# out those of modules, methods, functions and properties: `json?` shows no "Create a module object").
_builtin_type_docstrings = {
    inspect.getdoc(t)
    for t in (int, float, str, bytes, list, dict, set, tuple, object, type, types.ModuleType, types.MethodType,
              types.FunctionType, property)
}


def _getdoc(obj):
    try:
        return inspect.getdoc(obj)
    except Exception:
        return None


def _render_signature(signature, name):
    """IPython's rendering: one parameter a line when it would not fit behind 'Signature: '."""
    parts = []
    pos_only, kw_only = False, True
    for param in signature.parameters.values():
        if param.kind == inspect.Parameter.POSITIONAL_ONLY:
            pos_only = True
        elif pos_only:
            parts.append("/")
            pos_only = False
        if param.kind == inspect.Parameter.VAR_POSITIONAL:
            kw_only = False
        elif param.kind == inspect.Parameter.KEYWORD_ONLY and kw_only:
            parts.append("*")
            kw_only = False
        parts.append(str(param))
    if pos_only:
        parts.append("/")
    if len(name) + sum(len(p) + 2 for p in parts) > 75:
        rendered = "{}(\n{})".format(name, "".join("    {},\n".format(p) for p in parts))
    else:
        rendered = "{}({})".format(name, ", ".join(parts))
    if signature.return_annotation is not inspect.Signature.empty:
        rendered += " -> {}".format(inspect.formatannotation(signature.return_annotation))
    return rendered


def _definition(obj, name):
    try:
        return _render_signature(inspect.signature(obj), name)
    except (TypeError, ValueError):
        return None


def _source(obj):
    obj = inspect.unwrap(obj) if callable(obj) else obj
    try:
        return inspect.getsource(obj).rstrip()
    except (OSError, TypeError):
        try:
            return inspect.getsource(type(obj)).rstrip()
        except (OSError, TypeError):
            return None


def _file(obj):
    try:
        return inspect.getsourcefile(obj) or inspect.getfile(obj)
    except TypeError:
        try:
            return inspect.getfile(type(obj))
        except TypeError:
            return None


def _source_contains_docstring(source, doc):
    try:
        (node,) = ast.parse(dedent(source)).body
        return ast.get_docstring(node) == doc
    except Exception:
        return False


def _simple_callable(obj):
    return inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isbuiltin(obj) or inspect.ismethoddescriptor(obj)


def info_text(obj, name, detail_level=0):
    doc = _getdoc(obj) or "<no docstring>"
    source = _source(obj) if detail_level else None
    if doc and source and _source_contains_docstring(source, doc):
        doc = None
    fields = []
    add = fields.append
    file = _file(obj)
    if inspect.isclass(obj) or _simple_callable(obj):
        if inspect.isclass(obj):
            init_def = _definition(obj, name)
            init_doc = _getdoc(getattr(obj, "__init__", None))
            if init_doc == _object_init_docstring:
                init_doc = None
            add(("Init signature", init_def))
            add(("Docstring", doc))
            add(("Source", source) if source else ("Init docstring", init_doc))
        else:
            add(("Signature", _definition(obj, name)))
            add(("Docstring", doc))
            if source:
                add(("Source", source))
        add(("File", file))
        add(("Type", type(obj).__name__))
        if inspect.isclass(obj):
            names = [sub.__name__ for sub in type.__subclasses__(obj)] if isinstance(obj, type) else []
            add(("Subclasses", ", ".join(names if len(names) < 10 else names[:10] + ["..."])))
    else:
        try:
            text = str(obj)
        except Exception:
            text = None
        if text is not None and not detail_level and len(text) > _STRING_MAX:
            half = (_STRING_MAX - 5) // 2
            text = text[:half] + " <...> " + text[-half:]
        add(("Type", type(obj).__name__))
        add(("String form", text))
        try:
            add(("Length", str(len(obj))))
        except Exception:
            pass
        add(("File", file))
        add(("Source", source) if source else ("Docstring", doc))
        class_doc = _getdoc(type(obj))
        if class_doc in _builtin_type_docstrings or class_doc == doc:
            class_doc = None
        add(("Class docstring", class_doc))
    fields = [(title, value) for title, value in fields if value]
    width = max(len(title) for title, _ in fields)
    out = []
    for title, value in fields:
        value = value.strip("\n")
        out.append(title + ":" + " " * (width - len(title)) + ("\n" if "\n" in value else " ") + value)
    return "\n".join(out)
