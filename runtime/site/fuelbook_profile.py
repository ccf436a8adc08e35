"""Fuelbook's fuel profiler: where a cell's fuel went, per (file, line) and per function.

Built on sys.settrace's call, line and return events. Fuel is read with _fuelbook.fuel() (exact at
the host call) on entering and leaving the trace callback, so what the callback itself spends never
reaches the figures; the cost of the interpreter getting into and out of the callback is measured
once (calibrate_profiler) and subtracted per event. What remains (traced bytecode runs
unspecialized, so it costs more than untraced) is measured in runtime/README.md, "Fuel profile".

The driver imports this module only when the host asks for a profile ({"op": "profile"}), so an
unprofiled run never runs a line of it. The profile goes to the host as a kind-7 record.
"""
import sys

import _fuelbook
import fuelbook_driver as _driver

KIND_PROFILE = 7
PROFILE_MAX_LINES = 2000
PROFILE_MAX_FUNCTIONS = 1000
_CALIBRATION_LINES = 200
_event_cost = None  # (line event, call or return event): fuel outside the callback's readings


class BudgetReached(BaseException):
    """The profiled code used the budget it was given (fuel not counting the profiler)."""


class FuelProfiler:
    def __init__(self, event_cost=(0, 0), budget=None):
        # Fuel of one line event and of one call or return event outside the callback's readings.
        self.line_cost, self.call_cost = event_cost
        self.budget = budget
        self.lines = {}  # (file, line) -> fuel
        self.functions = {}  # (name, file, first line) -> [self fuel, total fuel, calls]
        self.stack = []  # [function, line key, user fuel at entry]
        self.active = {}  # function -> frames of it on the stack (recursion counts total once)
        self.user = 0  # fuel of the profiled code so far
        self.overhead = 0  # fuel the profiler spent (callbacks and their estimated entry cost)
        self.events = 0
        self.stopped = False
        self.sent = False
        self.resume = 0

    def _trace(self, frame, event, arg):
        now = _fuelbook.fuel()
        event_cost = self.line_cost if event == "line" else self.call_cost
        spent = now - self.resume - event_cost
        if spent < 0:
            spent = 0
        stack = self.stack
        if stack:
            self.user += spent
            top = stack[-1]
            key = top[1]
            self.lines[key] = self.lines.get(key, 0) + spent
            self.functions[top[0]][0] += spent
        self.events += 1
        if event == "line":
            stack[-1][1] = (frame.f_code.co_filename, frame.f_lineno)
        elif event == "call":
            code = frame.f_code
            file = code.co_filename
            if file in _UNTRACED_FILES:
                # The driver's and this module's frames (run_tree, display…): their fuel stays with
                # the caller's line.
                self.resume = _fuelbook.fuel()
                self.overhead += self.resume - now + event_cost
                return None
            # A function is its (name, file, first line): a cell's last expression is compiled
            # apart from its statements, both are the cell's <module>.
            function = (code.co_qualname, file, code.co_firstlineno)
            stack.append([function, (file, code.co_firstlineno), self.user])
            entry = self.functions.get(function)
            if entry is None:
                self.functions[function] = entry = [0, 0, 0]
            entry[2] += 1
            self.active[function] = self.active.get(function, 0) + 1
        elif event == "return" and stack:
            function, _key, entered = stack.pop()
            depth = self.active[function] - 1
            self.active[function] = depth
            if depth == 0:
                self.functions[function][1] += self.user - entered
        if self.budget is not None and self.user >= self.budget:
            # Reported here, before the exception unwinds: code that catches it runs untraced,
            # and the host ends the run when it reads a profile whose budget was reached.
            self.stopped = True
            sys.settrace(None)
            self.finish()
            self.send()
            raise BudgetReached(f"the profiled code used its budget of {self.budget} fuel")
        self.resume = _fuelbook.fuel()
        self.overhead += self.resume - now + event_cost
        return self._trace

    def run(self, function, *args):
        """function(*args) with every Python frame it starts traced."""
        __tracebackhide__ = True
        self.resume = _fuelbook.fuel()
        sys.settrace(self._trace)
        try:
            return function(*args)
        finally:
            sys.settrace(None)
            self.finish()

    def finish(self):
        """Closes the frames still on the stack (an exception unwound them, or the budget ran out)."""
        while self.stack:
            function, _key, entered = self.stack.pop()
            self.active[function] -= 1
            if self.active[function] == 0:
                self.functions[function][1] += self.user - entered

    def send(self):
        """The profile as one kind-7 record, once."""
        if not self.sent:
            self.sent = True
            _driver._flush_streams()
            _driver._send(KIND_PROFILE, self.result(_driver.current_cell()[0]))

    def result(self, cell_file):
        lines = sorted(self.lines.items(), key=lambda item: (-item[1], item[0]))
        functions = sorted(self.functions.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
        return {
            "cellFile": cell_file,
            "totalFuel": self.user,
            "overheadFuel": self.overhead,
            "lineEventCost": self.line_cost,
            "callEventCost": self.call_cost,
            "events": self.events,
            "budgetReached": self.stopped,
            "lines": [[file, line, fuel] for (file, line), fuel in lines[:PROFILE_MAX_LINES]],
            "droppedLines": max(0, len(lines) - PROFILE_MAX_LINES),
            "functions": [
                [name, file, first_line, entry[0], entry[1], entry[2]]
                for (name, file, first_line), entry in functions[:PROFILE_MAX_FUNCTIONS]
            ],
            "droppedFunctions": max(0, len(functions) - PROFILE_MAX_FUNCTIONS),
        }


_UNTRACED_FILES = frozenset({_driver.run_tree.__code__.co_filename, FuelProfiler._trace.__code__.co_filename})


# Compiled under a file name of their own (the driver's frames are not traced): a loop of line
# events, and a loop that also calls a function (call, line and return events each time).
_CALIBRATION_SOURCE = """
def lines(n):
    x = 0
    for _ in range(n):
        x += 1
    return x

def callee():
    pass

def calls(n):
    for _ in range(n):
        callee()
"""


def _outside_fuel(body):
    """(fuel of `body` traced, less untraced and less what the callbacks measured; events): each
    run twice, the second taken (warm caches)."""
    for _ in range(2):
        start = _fuelbook.fuel()
        body(_CALIBRATION_LINES)
        plain = _fuelbook.fuel() - start
        profiler = FuelProfiler()
        start = _fuelbook.fuel()
        profiler.run(body, _CALIBRATION_LINES)
        traced = _fuelbook.fuel() - start
    return traced - plain - profiler.overhead, profiler.events


def calibrate_profiler():
    """(line event, call or return event): the fuel of one trace event outside the callback's own
    readings, from two measured loops (deterministic: the same figures in every instance)."""
    global _event_cost
    if _event_cost is None:
        namespace = {}
        exec(compile(_CALIBRATION_SOURCE, "<fuelbook-calibration>", "exec"), namespace)
        outside, events = _outside_fuel(namespace["lines"])
        line_cost = outside / events
        # `calls`: per iteration one line event in the loop, and a call, a line and a return in
        # callee; plus the loop's own call and return.
        outside, events = _outside_fuel(namespace["calls"])
        line_events = 2 * _CALIBRATION_LINES + 1
        call_cost = (outside - line_events * line_cost) / max(1, events - line_events)
        _event_cost = (round(line_cost), max(0, round(call_cost)))
    return _event_cost


def profile_call(function, *args, budget=None):
    """function(*args), profiled; the profile goes to the host as a kind-7 record (also when the
    function raises). BudgetReached propagates once `budget` is spent."""
    profiler = FuelProfiler(calibrate_profiler(), budget)
    try:
        return profiler.run(function, *args)
    finally:
        profiler.send()


def arm(request):
    """{"op": "profile", "budget": n}: the next cell runs profiled, stopped once its code used n
    fuel. The driver's run_tree is swapped for one call, so the driver itself stays unchanged."""
    budget = request.get("budget")
    budget = int(budget) if isinstance(budget, (int, float)) and budget > 0 else None
    plain = _driver.run_tree

    def profiled_run_tree(tree, filename, namespace):
        __tracebackhide__ = True
        _driver.run_tree = plain  # once: magics inside the cell call the plain one
        return profile_call(plain, tree, filename, namespace, budget=budget)

    _driver.run_tree = profiled_run_tree
    line_cost, call_cost = calibrate_profiler()
    return {"lineEventCost": line_cost, "callEventCost": call_cost}


_TABLE_ROWS = 5


def table_text(profile):
    """The costliest lines and functions of a profile, as %%fuelprof prints them."""
    total = profile["totalFuel"] or 1
    cell = profile["cellFile"]

    def place(file, line):
        return f"line {line}" if file == cell else f"{file}:{line}"

    out = [f"Fuel profile: {profile['totalFuel']:,} fuel in the profiled code ({profile['overheadFuel']:,} spent by the profiler)"]
    for file, line, fuel in profile["lines"][:_TABLE_ROWS]:
        out.append(f"  {place(file, line):<40} {fuel:>15,}  {100 * fuel / total:5.1f}%")
    out.append("Functions (self / total fuel, calls):")
    for name, file, first_line, self_fuel, total_fuel, calls in profile["functions"][:_TABLE_ROWS]:
        out.append(f"  {name + ' (' + place(file, first_line) + ')':<40} {self_fuel:>15,} {total_fuel:>15,}  {calls:>7,}")
    return "\n".join(out)


def profile_magic(tree, filename, namespace):
    """%%fuelprof's body, profiled: the profile goes to the host and its table to stdout."""
    __tracebackhide__ = True
    profiler = FuelProfiler(calibrate_profiler())
    try:
        return profiler.run(_driver.run_tree, tree, filename, namespace)
    finally:
        profiler.send()
        print(table_text(profiler.result(_driver.current_cell()[0])))
