"""IPython syntax becomes Python line for line (runtime/site/IPython/core/inputtransformer2.py)."""
import pytest

from IPython.core.inputtransformer2 import TransformerManager


def transform(cell):
    return TransformerManager().transform_cell(cell)


def lines_of(text):
    return text.rstrip("\n").split("\n")


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("%time f(1)", "get_ipython().run_line_magic('time', 'f(1)')"),
        ("x = %who_ls", "x = get_ipython().run_line_magic('who_ls', '')"),
        ("!ls -l", "get_ipython().system('ls -l')"),
        ("files = !ls", "files = get_ipython().getoutput('ls')"),
        ("len?", "get_ipython().run_line_magic('pinfo', 'len')"),
        ("json.dumps??", "get_ipython().run_line_magic('pinfo2', 'json.dumps')"),
        ("%%html\n<b>x</b>", "get_ipython().run_cell_magic('html', '', '<b>x</b>\\n')\n"),
    ],
)
def test_escapes_become_calls_on_the_shell(cell, expected):
    assert transform(cell) == expected + "\n"


def test_every_line_keeps_its_number():
    cell = "\n\n%%time\na = 1\nb = 2\n"
    out = transform(cell)
    assert lines_of(out)[2].startswith("get_ipython().run_cell_magic('time'")
    assert len(out.split("\n")) == len(cell.split("\n"))

    continued = "x = 1\n%who \\\n  int\ny = 2\n"
    out = transform(continued)
    assert lines_of(out) == ["x = 1", "get_ipython().run_line_magic('who', '   int')", "", "y = 2"]


def test_escapes_only_at_statement_starts_never_in_strings_or_expressions():
    cell = 's = """\n%notmagic\n!notshell\n"""\nt = "%time x"\nu = (1\n%2)\n'
    assert transform(cell) == cell


def test_indented_magics_inside_blocks():
    out = transform("if flag:\n    !ls\n    %time f()\n")
    assert out == (
        "if flag:\n    get_ipython().system('ls')\n    get_ipython().run_line_magic('time', 'f()')\n"
    )
