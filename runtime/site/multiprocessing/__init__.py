"""multiprocessing in Fuelbook's sandbox, which cannot start processes.

CPython's package needs fork/spawn, semaphores and pipes, none of which WASI has, so it is not
shipped. This stand-in imports (code that only mentions multiprocessing keeps working) and
answers what is true without a second process; everything that would start one, or share state
with one, raises fuelbook.SandboxError. `concurrent.futures.ThreadPoolExecutor` says the same
for threads.
"""
import fuelbook as _fuelbook

__all__ = [
    "Array", "AuthenticationError", "Barrier", "BoundedSemaphore", "BufferTooShort", "Condition",
    "Event", "JoinableQueue", "Lock", "Manager", "Pipe", "Pool", "Process", "ProcessError", "Queue",
    "RLock", "RawArray", "RawValue", "Semaphore", "SimpleQueue", "TimeoutError", "Value",
    "active_children", "cpu_count", "current_process", "freeze_support", "get_all_start_methods",
    "get_context", "get_start_method", "parent_process", "set_start_method",
]


class ProcessError(Exception):
    pass


class BufferTooShort(ProcessError):
    pass


class TimeoutError(ProcessError):
    pass


class AuthenticationError(ProcessError):
    pass


def _refuse(what):
    raise _fuelbook.SandboxError.unavailable(f"multiprocessing.{what}", "processes")


class Process:
    """A process that cannot start: creating one (or a subclass) raises SandboxError."""

    def __init__(self, *args, **kwargs):
        _refuse("Process()")

    def start(self):
        _refuse("Process.start()")


def _refusing(name):
    def refuse(*args, **kwargs):
        _refuse(f"{name}()")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Not available: {_fuelbook._WHY}."
    return refuse


for _name in (
    "Array", "Barrier", "BoundedSemaphore", "Condition", "Event", "JoinableQueue", "Lock", "Manager",
    "Pipe", "Pool", "Queue", "RLock", "RawArray", "RawValue", "Semaphore", "SimpleQueue", "Value",
    "get_context", "set_start_method",
):
    globals()[_name] = _refusing(_name)
del _name


class _MainProcess:
    """The one process there is: the interpreter running the cell."""

    name = "MainProcess"
    daemon = False
    exitcode = None

    @property
    def pid(self):
        import os

        return os.getpid()

    def is_alive(self):
        return True


_main = _MainProcess()


def current_process():
    return _main


def parent_process():
    return None


def active_children():
    return []


def cpu_count():
    """1: a cell runs on one thread of one CPU."""
    return 1


def freeze_support():
    pass


def get_start_method(allow_none=False):
    return None if allow_none else _refuse("get_start_method()")


def get_all_start_methods():
    return []
