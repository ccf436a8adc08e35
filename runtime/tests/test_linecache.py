"""Cell sources reach linecache when something looks them up, not on every run (_CellLineCache):
tracebacks and inspect.getsource() show cell lines at a cost that does not grow with
the number of cells run before."""
import linecache

import pytest


@pytest.fixture(autouse=True)
def fresh_linecache(monkeypatch):
    # The native test process shares linecache with pytest: give each test its own cache.
    monkeypatch.setattr(linecache, "cache", {})


def cell_entries():
    return sorted(name for name in dict.keys(linecache.cache) if name.startswith("<cell-"))


def test_a_traceback_shows_an_earlier_cells_line_and_adds_only_the_cells_it_passes_through(kernel):
    kernel.run("def fail():\n    return 1 / 0")
    for i in range(50):
        kernel.run(f"x = {i}")
    traceback = "\n".join(kernel.run("fail()").error["traceback"])
    assert 'File "<cell-1>", line 2, in fail\n    return 1 / 0' in traceback
    assert 'File "<cell-52>", line 1, in <module>\n    fail()' in traceback
    assert cell_entries() == ["<cell-1>", "<cell-52>"]


def test_lines_come_back_after_linecache_clearcache(kernel):
    kernel.run("def fail():\n    return 1 / 0")
    kernel.run("import linecache\nlinecache.clearcache()")
    assert "    return 1 / 0" in kernel.run("fail()").error["traceback"]


def test_lines_come_back_after_code_replaces_the_cache(kernel):
    kernel.run("def fail():\n    return 1 / 0")
    kernel.run("import linecache\nlinecache.cache = {}")
    assert "    return 1 / 0" in kernel.run("fail()").error["traceback"]


def test_inspect_getsource_finds_an_earlier_cells_lines(kernel):
    kernel.run("def area(w, h):\n    return w * h")
    assert kernel.run("import inspect\nprint(inspect.getsource(area), end='')").stdout == (
        "def area(w, h):\n    return w * h\n"
    )


def test_an_unknown_name_is_not_in_the_cache(kernel):
    kernel.run("1 + 1")
    assert "<cell-99>" not in linecache.cache
    with pytest.raises(KeyError):
        linecache.cache["<cell-99>"]


def run_as(kernel, count, source):
    """A run the host numbered In[count], as the service does before each cell."""
    kernel.driver._set_execution_count({"count": count})
    return kernel.run(source)


def test_a_traceback_names_cells_by_their_in_number_when_stopped_runs_took_numbers(kernel):
    run_as(kernel, 1, "x = 1")
    # In[2] was stopped (out of fuel): it took a number and left no state behind.
    run_as(kernel, 3, "def f(a):\n    return a / 0")
    traceback = "\n".join(run_as(kernel, 4, "f(x)").error["traceback"])
    assert 'File "<cell-4>", line 1, in <module>\n    f(x)' in traceback
    assert 'File "<cell-3>", line 2, in f\n    return a / 0' in traceback


def test_a_repeated_in_number_never_shows_another_cells_lines(kernel):
    run_as(kernel, 1, "def f():\n    return 1 / 0")
    run_as(kernel, 1, "def g():\n    pass\n    return f()")
    traceback = "\n".join(run_as(kernel, 2, "g()").error["traceback"])
    assert 'File "<cell-1>", line 2, in f\n    return 1 / 0' in traceback
    assert 'File "<cell-1-2>", line 3, in g\n    return f()' in traceback
