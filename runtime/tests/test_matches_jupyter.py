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
