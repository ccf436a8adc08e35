"""Runs the cell driver natively: a stand-in _fuelbook module records what the driver emits.

Tests get a `kernel` fixture: kernel.run(source) runs a cell as fb_run would and returns the
records it sent and what it printed."""
import json
import pathlib
import sys
import types

import pytest

RUNTIME = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(RUNTIME), str(RUNTIME / "site")]

KINDS = {1: "display_data", 2: "execute_result", 3: "error", 4: "reply", 5: "clear_output", 6: "update_display_data"}


class FakeFuelbook(types.ModuleType):
    def __init__(self):
        super().__init__("_fuelbook")
        self.records = []
        self.fuel_counter = 0

    def emit(self, kind, payload):
        self.records.append((KINDS[kind], json.loads(payload.decode("utf-8"))))

    def fuel(self):
        self.fuel_counter += 1000
        return self.fuel_counter


class Run:
    def __init__(self, status, records, stdout, stderr):
        self.status = status
        self.records = records
        self.stdout = stdout
        self.stderr = stderr

    def of(self, kind):
        return [message for k, message in self.records if k == kind]

    @property
    def result(self):
        results = self.of("execute_result")
        return results[0]["data"]["text/plain"] if results else None

    @property
    def error(self):
        errors = self.of("error")
        return errors[0] if errors else None


class Kernel:
    def __init__(self, driver, fake, capsys):
        self.driver = driver
        self.fake = fake
        self.capsys = capsys

    def run(self, source):
        self.fake.records = []
        self.capsys.readouterr()
        status, _code = self.driver.run_cell(source)
        out = self.capsys.readouterr()
        return Run(status, list(self.fake.records), out.out, out.err)


@pytest.fixture
def kernel(capsys, monkeypatch, tmp_path):
    fake = FakeFuelbook()
    monkeypatch.setitem(sys.modules, "_fuelbook", fake)
    main = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", main)
    for name in [n for n in sys.modules if n == "fuelbook_driver" or n == "IPython" or n.startswith("IPython.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.chdir(tmp_path)
    import fuelbook_driver

    monkeypatch.setattr(fuelbook_driver, "_real_sleep", fuelbook_driver._real_sleep)
    import builtins

    for name in ("display", "clear_output", "get_ipython", "input", "exit", "quit", "help", "copyright", "credits", "license"):
        if hasattr(builtins, name):
            monkeypatch.setattr(builtins, name, getattr(builtins, name))
        else:
            monkeypatch.delattr(builtins, name, raising=False)
    import time

    monkeypatch.setattr(time, "sleep", time.sleep)
    import linecache

    for name in [n for n in linecache.cache if n.startswith("<cell-")]:
        del linecache.cache[name]  # each test is a fresh interpreter, as every kernel is
    fuelbook_driver.init()
    return Kernel(fuelbook_driver, fake, capsys)
