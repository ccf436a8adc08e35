"""The inspect op behind Shift+Tab: which name the cursor is on, and the obj? text for it."""
import json

import pytest


def inspect(kernel, code, cursor=None, full=False):
    kernel.fake.records = []
    cursor = len(code.encode("utf-16-le")) // 2 if cursor is None else cursor
    kernel.driver.call(json.dumps({"op": "inspect", "code": code, "cursor": cursor, "full": full}))
    (reply,) = [message for kind, message in kernel.fake.records if kind == "reply"]
    return reply


@pytest.mark.parametrize(
    ("code", "cursor", "name"),
    [
        ("len", None, "len"),
        ("le", 1, "le"),
        ("x = len", 5, "len"),
        ("os.path.join", 5, "os.path"),
        ("os.path.join", None, "os.path.join"),
        ("os.path.", None, "os.path"),
        ("len(x, ", None, "len"),
        ("print(len([1, 2], ", None, "len"),
        ("max(f(1), ", None, "max"),
        ("sorted([a, ", None, "sorted"),
        ("print('(', ", None, "print"),
        ("for", None, ""),
        ("if (", None, ""),
        ("1 + 2", None, ""),
        ("", None, ""),
    ],
)
def test_the_name_at_the_cursor_or_of_the_call_around_it(kernel, code, cursor, name):
    assert inspect(kernel, code, cursor)["name"] == name


def test_a_builtin_shows_its_signature_and_docstring(kernel):
    reply = inspect(kernel, "len")
    assert reply["found"] is True
    assert reply["text"].startswith("Signature: len(obj, /)\nDocstring: Return the number of items in a container.")
    assert reply["truncated"] is False


def test_a_function_from_an_earlier_cell(kernel):
    kernel.run("def area(w, h=2):\n    '''Area of a w by h rectangle.'''\n    return w * h")
    reply = inspect(kernel, "area(3, ")
    assert reply["text"].startswith("Signature: area(w, h=2)\nDocstring: Area of a w by h rectangle.")


def test_a_long_docstring_shows_its_first_lines_until_asked_for_all(kernel):
    kernel.run("def long():\n    pass\nlong.__doc__ = '\\n'.join(f'line {i}' for i in range(40))")
    short = inspect(kernel, "long")
    assert short["truncated"] is True and len(short["text"].split("\n")) == 20
    full = inspect(kernel, "long", full=True)
    assert full["truncated"] is False and "line 39" in full["text"]


def test_an_unknown_name_is_not_found(kernel):
    assert inspect(kernel, "nothing_here") == {"found": False, "name": "nothing_here"}


def test_inspecting_leaves_the_namespace_alone(kernel):
    kernel.run("value = [1, 2, 3]")
    before = dict(vars(__import__("sys").modules["__main__"]))
    assert "Length:      3" in inspect(kernel, "value")["text"]
    assert dict(vars(__import__("sys").modules["__main__"])) == before
