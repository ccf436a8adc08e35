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
