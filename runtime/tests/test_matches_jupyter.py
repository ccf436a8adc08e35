"""Cases the notebook corpus (test/integration/notebook-corpus.test.ts) found where a cell showed
other than in IPython."""


def test_a_live_view_of_out_is_shown_before_the_cell_adds_its_own_value(kernel):
    kernel.run("1")
    kernel.run("2")
    # IPython formats the Out value before storing it as Out[N] and _.
    assert kernel.run("Out.keys()").result == "dict_keys([1, 2])"


def test_capture_keeps_the_bodys_last_value_with_its_displays(kernel):
    run = kernel.run("%%capture cap\nprint('x')\ndisplay('shown')\n1 + 1")
    assert run.of("execute_result") == [] and run.of("display_data") == [] and run.stdout == ""
    assert kernel.run("[o.data['text/plain'] for o in cap.outputs], cap.stdout").result == "([\"'shown'\", '2'], 'x\\n')"
    shown = kernel.run("cap.show()")
    assert [m["data"]["text/plain"] for m in shown.of("display_data")] == ["'shown'", "2"]


def test_capture_without_displays_leaves_the_value_as_the_cells_out(kernel):
    assert kernel.run("%%capture --no-display cap\n6 * 7").result == "42"


def test_a_modules_help_has_no_class_docstring(kernel):
    # IPython leaves out the docstrings of module, method, function and property types.
    shown = kernel.run("import json\njson?").stdout
    assert shown.startswith("Type:        module\nString form: <module 'json' from ")
    assert "Class docstring" not in shown and "Create a module object" not in shown


def test_pprint_toggles_pretty_printing(kernel):
    assert kernel.run("%pprint").stdout == "Pretty printing has been turned OFF\n"
    # Off: repr() on one line, sets unsorted as repr makes them, %precision not applied.
    kernel.run("%precision 2")
    assert kernel.run("[list(range(30)), 0.5]").result == repr([list(range(30)), 0.5])
    assert kernel.run("%pprint").stdout == "Pretty printing has been turned ON\n"
    assert kernel.run("[list(range(30)), 0.5]").result.startswith("[[0,\n  1,\n")


def test_an_object_that_shows_itself_is_shown_once(kernel):
    kernel.run("class Shout:\n    def _ipython_display_(self):\n        print('SHOUT')\n        display('also')")
    for source in ("Shout()", "display(Shout())"):
        run = kernel.run(source)
        assert run.stdout == "SHOUT\n" and run.of("execute_result") == []
        assert [m["data"] for m in run.of("display_data")] == [{"text/plain": "'also'"}]
    # The value is still Out[N], as in IPython.
    assert kernel.run("type(Out[2]).__name__").result == "'Shout'"


def test_xdel_and_reset_selective(kernel):
    kernel.run("total = 10**9\nsame = total\nother = 1\ntotal")
    assert kernel.run("%xdel total").stdout == ""
    assert kernel.run("sorted(n for n in ('total', 'same', 'other') if n in globals()), list(Out)").result == "(['other'], [])"
    assert kernel.run("%xdel nothing").stdout == "NameError: name 'nothing' is not defined\n"
    kernel.run("alpha_1 = 1\nalpha_2 = 2\nbeta = 3")
    kernel.run("%reset_selective -f ^alpha")
    assert kernel.run("%who_ls").result == "['beta', 'other']"
    assert "cannot ask" in kernel.run("%reset_selective beta").stderr
