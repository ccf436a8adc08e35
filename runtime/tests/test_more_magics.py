"""Magics real notebooks start with: %config before anything made its section, %xmode, %prun,
%history, IPython's shell aliases (%ls …), and the magics the sandbox cannot offer."""


def test_config_names_a_section_nothing_made_yet(kernel):
    run = kernel.run("%config Completer.use_jedi = False\nget_ipython().config.Completer.use_jedi")
    assert run.error is None and run.result == "False"


def test_xmode_minimal_reports_the_exception_line_only_and_context_brings_the_traceback_back(kernel):
    assert kernel.run("%xmode Minimal").stdout == "Exception reporting mode: Minimal\n"
    kernel.run("def fail():\n    return 1 / 0")
    assert kernel.run("fail()").error["traceback"] == ["ZeroDivisionError: division by zero"]
    assert kernel.run("%xmode context").stdout == "Exception reporting mode: Context\n"
    traceback = kernel.run("fail()").error["traceback"]
    assert traceback[0] == "Traceback (most recent call last):" and "    return 1 / 0" in traceback


def test_xmode_without_a_mode_takes_the_next_one_and_refuses_an_unknown_one(kernel):
    assert kernel.run("%xmode").stdout == "Exception reporting mode: Verbose\n"
    error = kernel.run("%xmode Fancy").error
    assert error["ename"] == "UsageError" and "Valid modes: Plain, Context, Verbose, Minimal" in error["evalue"]


def test_prun_prints_cprofiles_table_and_keeps_the_statements_names(kernel):
    run = kernel.run("def square(x):\n    return x * x\n%prun total = sum(square(i) for i in range(100))\ntotal")
    assert run.result == "328350"
    assert "function calls in" in run.stdout and "Ordered by: internal time" in run.stdout
    assert "(square)" in run.stdout
    # A limit cuts the table; sorted by call count, square's 100 calls keep it in the top 3 (by
    # internal time, the order of functions that all took ~0 s is the clock's).
    run = kernel.run("%prun -s calls -l 3 sum(square(i) for i in range(100))")
    assert "Ordered by: call count" in run.stdout and "List reduced from" in run.stdout and "(square)" in run.stdout
    cell = kernel.run("%%prun -q\nquiet = 1")
    assert cell.stdout == "" and kernel.run("quiet").result == "1"


def test_history_lists_the_inputs_with_their_numbers(kernel):
    kernel.run("a = 1")
    kernel.run("for i in range(2):\n    a += i")
    # IPython 8.5's layout: the cells as written, a multi-line cell under its number.
    run = kernel.run("%history -n")
    assert run.stdout == "   1: a = 1\n   2:\nfor i in range(2):\n    a += i\n   3: %history -n\n"
    # -t: the Python each cell ran as; ranges 1-2 (2 included) and 3:4 (4 left out).
    run = kernel.run("%history -n -t 1-2 3:4")
    assert run.stdout == "   1: a = 1\n   2:\nfor i in range(2):\n    a += i\n   3: get_ipython().run_line_magic('history', '-n')\n"
    assert kernel.run("%history 2").stdout == "for i in range(2):\n    a += i\n"


def test_shell_aliases_say_they_were_not_run_and_the_cell_goes_on(kernel):
    run = kernel.run("%ls -la data\n%mkdir out\nprint('on')")
    assert run.error is None and run.stdout == "on\n"
    assert run.stderr == (
        "shell commands are not available in the sandbox: %ls -la data was not run\n"
        "shell commands are not available in the sandbox: %mkdir out was not run\n"
    )


def test_debug_and_store_say_why_they_are_not_available(kernel):
    assert "cells take no input" in kernel.run("%debug").error["evalue"]
    assert "keeps its variables in its file" in kernel.run("%store x").error["evalue"]
    assert "numpy and matplotlib" in kernel.run("%pylab inline").error["evalue"]


def test_file_is_writefile(kernel):
    assert kernel.run("%%file notes.txt\nhello").stdout == "Writing notes.txt\n"
    assert kernel.run("print(open('notes.txt').read(), end='')").stdout == "hello\n"


def test_precision_formats_floats_in_out_values_and_containers_until_reset(kernel):
    assert kernel.run("%precision 3").result == "'%.3f'"
    assert kernel.run("3.14159265").result == "3.142"
    assert kernel.run("[1 / 3, {'x': 2.5}, 'text', 7]").result == "[0.333, {'x': 2.500}, 'text', 7]"
    assert kernel.run("%precision %.1e").result == "'%.1e'"
    assert kernel.run("12345.678").result == "1.2e+04"
    assert kernel.run("%precision").result == "'%r'"
    assert kernel.run("1 / 3").result == "0.3333333333333333"
    assert kernel.run("%precision x").error["ename"] == "UsageError"


def test_pdef_pdoc_and_psource_show_an_earlier_cells_function(kernel):
    kernel.run("def area(w, h=2):\n    '''Area of a w by h rectangle.'''\n    return w * h")
    assert kernel.run("%pdef area").stdout == "area(w, h=2)\n"
    assert kernel.run("%pdoc area").stdout == "Area of a w by h rectangle.\n"
    assert kernel.run("%psource area").stdout.startswith("def area(w, h=2):\n")
    assert kernel.run("%pdef nowhere").stdout == "Object `nowhere` not found.\n"


def test_set_env_autosave_and_reload_ext(kernel):
    assert kernel.run("%set_env MODE fast").stdout == "env: MODE=fast\n"
    assert kernel.run("import os\nos.environ['MODE']").result == "'fast'"
    assert kernel.run("%autosave 60").stdout == "Fuelbook saves every change as it happens: %autosave changes nothing.\n"
    assert kernel.run("%reload_ext autoreload").error is None


def test_javascript_is_kept_as_output_and_says_it_is_not_run(kernel):
    run = kernel.run("%%javascript\nconsole.log('hi')")
    [shown] = run.of("display_data")
    assert shown["data"]["application/javascript"] == "console.log('hi')\n"
    assert shown["data"]["text/plain"] == "[JavaScript output: Fuelbook does not run scripts from cells]"


def test_tb_shows_the_last_error_again_and_traceback_print_last_works(kernel, monkeypatch):
    import sys

    monkeypatch.delattr(sys, "last_value", raising=False)
    assert kernel.run("%tb").stdout == "No traceback available to show.\n"
    kernel.run("def fail():\n    return 1 / 0")
    shown = kernel.run("fail()").error["traceback"]
    assert kernel.run("%tb").stdout == "\n".join(shown) + "\n"
    assert kernel.run("import traceback\ntraceback.print_last()").stderr == "\n".join(shown) + "\n"
    assert kernel.run("%tb Verbose").error["ename"] == "UsageError"


def test_pycat_prints_a_file_and_load_says_why_it_cannot_replace_the_cell(kernel):
    kernel.run("%%writefile helper.py\ndef twice(x):\n    return 2 * x")
    assert kernel.run("%pycat helper.py").stdout == "def twice(x):\n    return 2 * x\n"
    assert "No such file" in kernel.run("%pycat nothing.py").error["evalue"]
    error = kernel.run("%load helper.py").error
    assert error["ename"] == "UsageError" and "%pycat FILE shows the file; %run FILE runs it" in error["evalue"]


def test_input_raises_ipythons_stdin_error_which_jupyter_code_catches(kernel):
    error = kernel.run("name = input('name? ')").error
    assert error["ename"] == "StdinNotImplementedError"
    assert error["traceback"][-1].startswith("IPython.core.error.StdinNotImplementedError: input() is not available")
    run = kernel.run(
        "from IPython.core.error import StdinNotImplementedError\n"
        "try:\n    input()\nexcept StdinNotImplementedError:\n    print('caught')\n"
        "try:\n    input()\nexcept NotImplementedError:\n    print('caught as NotImplementedError')"
    )
    assert run.error is None and run.stdout == "caught\ncaught as NotImplementedError\n"
