"""Cells with IPython habits, run by the driver natively (runtime/tests/conftest.py): what the
user sees for magics, shell escapes, help, display objects and the Out history."""
import pytest


def test_plain_python_is_never_rewritten(kernel):
    run = kernel.run('s = "%time not a magic"\ns')
    assert run.result == "'%time not a magic'"


def test_time_prints_wall_time_and_fuel_and_returns_the_value(kernel):
    run = kernel.run("%time sum(range(10))")
    assert run.stdout.startswith("Wall time: ")
    assert "\nFuel: 1,000\n" in run.stdout  # one reading of the stand-in meter apart
    assert run.result == "45"


def test_cell_time_runs_the_body_and_shows_its_last_value(kernel):
    run = kernel.run("%%time\na = 20\na + 22")
    assert run.result == "42"
    assert "Wall time:" in run.stdout


def test_timeit_reports_mean_and_fuel_per_loop(kernel):
    run = kernel.run("%timeit -n 4 -r 3 x = 1")
    # On a loaded machine IPython's "The slowest run took …" warning comes first (worst > 4 × best).
    *warnings, first, second = run.stdout.splitlines()
    assert all(line.startswith("The slowest run took ") for line in warnings)
    assert "per loop (mean ± std. dev. of 3 runs, 4 loops each)" in first
    assert second == "Fuel: 250 per loop"  # 1,000 per reading over 4 loops
    run = kernel.run("r = %timeit -o -q -n 2 -r 2 pass\nr.loops, r.repeat")
    assert run.result == "(2, 2)"
    assert run.stdout == ""


def test_timing_without_a_fuel_meter_says_so(kernel, monkeypatch):
    monkeypatch.delattr(type(kernel.fake), "fuel")
    run = kernel.run("%time 1")
    assert run.stdout.splitlines()[1] == "Fuel: fuel not available (this runtime cannot read its fuel meter)"
    run = kernel.run("%timeit -n 1 -r 1 pass")
    assert run.stdout.splitlines()[1] == "Fuel: fuel not available (this runtime cannot read its fuel meter)"


def test_errors_in_magic_code_point_at_the_users_line_and_column(kernel):
    run = kernel.run("x = 1\n%time x / 0")
    assert run.error["ename"] == "ZeroDivisionError"
    assert run.error["lineno"] == 2
    tb = "\n".join(run.error["traceback"])
    assert tb.count('File "<cell-1>", line 2') == 1
    assert "    %time x / 0\n          ~~^~~" in tb
    assert "interactiveshell" not in tb and "fuelbook_magics" not in tb

    run = kernel.run("%%time\nok = 1\nbad = (")
    assert run.error["ename"] == "SyntaxError"
    assert run.error["lineno"] == 3


def test_shell_commands_give_one_line_and_the_cell_goes_on(kernel):
    run = kernel.run("!ls -l\nfiles = !ls\n%system ls\nprint('after', files)")
    assert run.status == 0
    assert run.stderr.splitlines() == [
        "shell commands are not available in the sandbox: !ls -l was not run",
        "shell commands are not available in the sandbox: !ls was not run",
        "shell commands are not available in the sandbox: 'ls' was not run",
    ]
    assert run.stdout == "after []\n"
    run = kernel.run("%%bash\nls\necho hi")
    assert run.stderr == "shell commands are not available in the sandbox: 'ls' was not run\n"


def test_unknown_magic_is_a_one_line_usage_error(kernel):
    run = kernel.run("x = 1\n%nosuchmagic arg\nx = 2")
    assert run.error["ename"] == "UsageError"
    assert run.error["traceback"] == ["UsageError: Line magic function `%nosuchmagic` not found."]
    assert kernel.run("x").result == "1"
    run = kernel.run("%%nosuchcell\nbody")
    assert run.error["traceback"] == ["UsageError: Cell magic `%%nosuchcell` not found."]


def test_who_whos_and_reset(kernel):
    kernel.run("alpha = 123\nbeta = 'test'\nimport json")
    assert kernel.run("%who").stdout == "alpha\t beta\t json\t \n"
    assert kernel.run("%who int").stdout == "alpha\t \n"
    assert kernel.run("%whos str").stdout == (
        "Variable   Type    Data/Info\n----------------------------\nbeta       str     test\n"
    )
    run = kernel.run("%reset")
    assert "%reset -f" in run.stderr
    kernel.run("%reset -f")
    assert kernel.run("%who").stdout == "Interactive namespace is empty.\n"


def test_settings_magics_are_accepted(kernel):
    run = kernel.run(
        "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'\n"
        "get_ipython().config.InlineBackend.figure_format"
    )
    assert run.result == "'retina'"
    assert run.stdout == run.stderr == ""
    run = kernel.run("%load_ext autoreload\n%autoreload 2\n%load_ext no_such_extension")
    assert run.status == 0
    assert run.stderr == (
        "The extension 'no_such_extension' is not available: no module named 'no_such_extension' "
        "in the sandbox's Python.\n"
    )


def test_pip_says_what_to_do_and_is_one_replaceable_function(kernel):
    run = kernel.run("%pip install numpy\nprint('still running')")
    assert run.stdout == "still running\n"
    assert "not run: packages install into a notebook, from %pip lines on their own top-level line" in run.stderr
    assert "a run without a notebook (fuelbook exec, runPython) installs none" in run.stderr
    run = kernel.run("if True:\n    %pip install numpy\nprint('still running')")
    assert run.stdout == "still running\n"
    assert "on their own top-level line of a cell (not indented, not inside if/for/def)" in run.stderr
    run = kernel.run(
        "get_ipython().register_magic_function(lambda line: print('installing', line), 'line', 'pip')\n"
        "%pip install numpy"
    )
    assert run.stdout == "installing install numpy\n"


def test_files_environment_and_directories(kernel, tmp_path):
    run = kernel.run("%%writefile script.py\nimport sys\nresult = sys.argv[1:]\nprint('ran as', __name__)")
    assert run.stdout == "Writing script.py\n"
    run = kernel.run("%run script.py a b\nresult")
    assert run.stdout == "ran as __main__\n"
    assert run.result == "['a', 'b']"
    assert kernel.run("%run missing.py").error["traceback"] == ["UsageError: File 'missing.py' not found."]
    assert kernel.run("%env FUELBOOK_X=1").stdout == "env: FUELBOOK_X=1\n"
    assert kernel.run("%env FUELBOOK_X").result == "'1'"
    (tmp_path / "sub").mkdir()
    assert kernel.run("%cd sub").stdout == f"{tmp_path / 'sub'}\n"
    assert kernel.run("%pwd").result == repr(str(tmp_path / "sub"))


def test_rich_cell_magics_and_capture(kernel):
    html = kernel.run("%%html\n<b>bold</b>").of("display_data")[0]["data"]
    assert html["text/html"] == "<b>bold</b>\n"
    md = kernel.run("%%markdown\n# Title").of("display_data")[0]["data"]
    assert md["text/markdown"] == "# Title\n"
    latex = kernel.run("%%latex\n$x^2$").of("display_data")[0]["data"]
    assert latex["text/latex"] == "$x^2$\n"
    run = kernel.run("%%capture captured\nprint('hidden')\ndisplay('shown later')")
    assert run.stdout == "" and run.of("display_data") == []
    run = kernel.run("captured()")
    assert run.stdout == "hidden\n"
    assert run.of("display_data")[0]["data"]["text/plain"] == "'shown later'"


def test_help_shows_signature_docstring_and_source(kernel):
    assert kernel.run("len?").stdout == (
        "Signature: len(obj, /)\nDocstring: Return the number of items in a container.\n"
        "Type:      builtin_function_or_method\n"
    )
    kernel.run("def add(x, y=2):\n    'Add.'\n    return x + y")
    assert kernel.run("add??").stdout.startswith("Signature: add(x, y=2)\nSource:   \ndef add(x, y=2):\n")
    assert kernel.run("nothing_here?").stdout == "Object `nothing_here` not found.\n"


def test_display_objects_and_handles(kernel):
    run = kernel.run(
        "from IPython.display import display, HTML, Markdown, Math, JSON, SVG, Pretty, Code, Image\n"
        "display(HTML('<i>x</i>'), Markdown('**b**'), Math('x^2'), JSON({'a': 1}), Pretty('p'))"
    )
    data = [m["data"] for m in run.of("display_data")]
    assert data[0]["text/html"] == "<i>x</i>"
    assert data[1]["text/markdown"] == "**b**"
    assert data[2]["text/latex"] == "$\\displaystyle x^2$"
    assert data[3]["application/json"] == {"a": 1}
    assert data[4]["text/plain"] == "p"
    run = kernel.run("h = display('a', display_id='bar')\nh.update('b')\nh")
    shown, update = run.of("display_data")[0], run.of("update_display_data")[0]
    assert shown["transient"] == update["transient"] == {"display_id": "bar"}
    assert update["data"]["text/plain"] == "'b'"
    assert run.result == "<DisplayHandle display_id=bar>"


def test_image_from_bytes_or_file_but_never_a_url(kernel, tmp_path):
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
    (tmp_path / "dot.png").write_bytes(png)
    run = kernel.run("from IPython.display import Image\nImage('dot.png')")
    # base64 with the trailing newline IPython's Image sends too
    assert run.of("execute_result")[0]["data"]["image/png"] == "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ\n"
    run = kernel.run("Image(url='https://example.org/x.png')")
    assert run.error["ename"] == "ValueError"
    assert run.error["evalue"] == (
        "Image: cannot load 'https://example.org/x.png': the sandbox has no network access. "
        "Pass the data itself (bytes or text) or the name of a file in the sandbox instead."
    )


def test_out_history_as_ipython_keeps_it(kernel):
    kernel.run("10")
    kernel.run("20")
    kernel.run("_ + __")
    assert kernel.run("Out").result == "{1: 10, 2: 20, 3: 30}"
    assert kernel.run("_1, _2, _3, ___").result == "(10, 20, 30, 10)"
    assert kernel.run("In[1], _i, _i2").result == "('10', '_1, _2, _3, ___', '20')"
    assert kernel.run("1;").of("execute_result") == []


def test_the_hosts_execution_count_names_in_and_out(kernel):
    kernel.driver.call('{"op": "execution_count", "count": 7}')
    kernel.run("'seven'")
    assert kernel.run("Out[7], _7").result == "('seven', 'seven')"


def test_user_assigned_underscore_is_left_alone(kernel):
    kernel.run("_ = 'mine'")
    kernel.run("5")
    assert kernel.run("_").result == "'mine'"


@pytest.mark.parametrize("name", ["embed", "start_ipython"])
def test_starting_another_ipython_says_why_not(kernel, name):
    run = kernel.run(f"import IPython\nIPython.{name}()")
    assert run.error["ename"] == "RuntimeError"
    assert "a notebook cell cannot run" in run.error["evalue"]


def test_cell_timeit_runs_its_setup_line_before_each_measurement(kernel):
    run = kernel.run("%%timeit -n 3 -r 2 calls = []\ncalls.append(1)")
    assert "per loop (mean ± std. dev. of 2 runs, 3 loops each)" in run.stdout
    assert kernel.run("len(calls)").result == "3"  # the setup ran again before the last run


def test_help_on_a_magic(kernel):
    run = kernel.run("%time?")
    assert run.stdout.startswith("Signature: %time(line='', cell=None)\nDocstring: %time statement / %%time")


def test_importing_a_compiled_package_the_runtime_lacks_says_so(kernel, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # absent here even where the host has it
    run = kernel.run("x = 1\nimport pandas as pd")
    assert run.error["ename"] == "ModuleNotFoundError"
    assert run.error["traceback"][-1] == (
        "pandas is not part of Fuelbook's runtime: it needs compiled extension modules, and the"
        " runtime has the Python standard library only. Pure-Python packages install with"
        " %pip install NAME."
    )
    run = kernel.run("import no_such_module_here")
    assert run.error["traceback"][-1] == "ModuleNotFoundError: No module named 'no_such_module_here'"
