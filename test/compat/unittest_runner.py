"""Runs one CPython test module and reports every test's outcome, natively and in the sandbox alike.

The caller defines, before this file's text:
  MODULE    the module under the `test` package, e.g. "test_csv"
  LIB       a folder to put first on sys.path (the sandbox's copy of Lib/test), or None
  WORKDIR   the working directory the tests may litter (regrtest also runs them in a temp dir)

Each outcome is one line on the original stderr, prefixed with RS (\\x1e) so that it stands apart
from whatever the tests print: "RS<outcome>\\t<test id>\\t<detail>\\t<seconds>", outcome one of
start, pass, fail, error, skip, xfail, xpass (seconds: since the test started); a last line
"RSdone". A run that is stopped part-way (out of fuel, timeout) still leaves the outcomes so far
and the test it was in. Resources are disabled as in a plain regrtest run
(`support.use_resources = []`), so the same tests are asked to run on both sides.
"""
import importlib
import os
import sys
import time
import traceback
import unittest

REPORT = sys.__stderr__
RS = '\x1e'


started = time.perf_counter()


def emit(outcome, test_id, detail=''):
    global started
    if outcome == 'start':
        started = time.perf_counter()
    detail = ' '.join(str(detail).split())[:300]
    REPORT.write(f'{RS}{outcome}\t{test_id}\t{detail}\t{time.perf_counter() - started:.3f}\n')
    REPORT.flush()


def last_line(err):
    lines = ''.join(traceback.format_exception(*err)).strip().splitlines()
    return lines[-1] if lines else ''


class Collector(unittest.TestResult):
    def startTest(self, test):
        super().startTest(test)
        emit('start', test.id())

    def addSuccess(self, test):
        super().addSuccess(test)
        emit('pass', test.id())

    def addFailure(self, test, err):
        super().addFailure(test, err)
        emit('fail', test.id(), last_line(err))

    def addError(self, test, err):
        super().addError(test, err)
        emit('error', test.id(), last_line(err))

    def addSkip(self, test, reason):
        # A skip inside a subTest arrives with the subtest's id, and the test itself then reports
        # nothing: reported under the test's id, as subtest failures are.
        super().addSkip(test, reason)
        emit('skip', getattr(test, 'test_case', test).id(), reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        emit('xfail', test.id())

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        emit('xpass', test.id())

    def addSubTest(self, test, subtest, err):
        # Reported under the test's own id (a failed subtest means a failed test), so that both
        # sides name the same tests whichever subtests fail.
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            emit('fail' if failed else 'error', test.id(), f'{subtest._subDescription()} {last_line(err)}')


def main():
    if LIB is not None:
        sys.path.insert(0, LIB)
    os.makedirs(WORKDIR, exist_ok=True)
    os.chdir(WORKDIR)
    from test import support

    support.verbose = 0
    support.use_resources = []
    result = Collector()
    # Modules with a test_main() run their suites through support.run_unittest.
    support._run_suite = lambda suite: suite.run(result)
    try:
        module = importlib.import_module('test.' + MODULE)
        if hasattr(module, 'test_main'):
            module.test_main()
        else:
            unittest.defaultTestLoader.loadTestsFromModule(module).run(result)
    except unittest.SkipTest as e:
        emit('skip', 'test.' + MODULE, e)
    except BaseException as e:
        emit('error', 'test.' + MODULE, f'{type(e).__name__}: {e}')
    emit('done', 'test.' + MODULE)


main()
