"""Out values look as they did in Jupyter: the driver's text/plain against real IPython's
PlainTextFormatter (Debian's python3-ipython, run in a separate interpreter) over the same values.
"""
import json
import re
import subprocess
import sys

SETUP = """
import collections, dataclasses, datetime, decimal, enum, fractions, re, types
from collections import Counter, OrderedDict, UserList, defaultdict, deque, namedtuple

class Pretty:
    def _repr_pretty_(self, p, cycle):
        with p.group(4, 'Pretty(', ')'):
            p.pretty(list(range(30)))

class Plain:
    pass

class WithRepr:
    def __repr__(self):
        return 'WithRepr(\\n  two lines)'

@dataclasses.dataclass
class Point:
    x: int
    y: int

class Colour(enum.Enum):
    RED = 1

def f(x, y=2, *args, key=None, **kw):
    pass

Pair = namedtuple('Pair', 'a b')
cycle_list = [1, 2]
cycle_list.append(cycle_list)
cycle_dict = {'a': 1}
cycle_dict['self'] = cycle_dict
"""

VALUES = [
    "42",
    "-3.5e-07",
    "float('nan')",
    "1+2j",
    "'it\\'s \"quoted\"'",
    "'x' * 120",
    "b'\\x00bytes'",
    "None",
    "True",
    "[1, 2, 3]",
    "list(range(40))",
    "[[1, 2], [3, [4, 5]]]",
    "[list(range(10)) for _ in range(5)]",
    "{'b': 1, 'a': 2}",
    "{i: 'value %d' % i for i in range(20)}",
    "{'key%d' % i: list(range(i)) for i in range(8)}",
    "{3, 1, 2}",
    "{'pear', 'apple', 'fig'}",
    "set(range(50, 0, -1))",
    "{1, 'a'}",
    "frozenset({3, 1})",
    "set()",
    "frozenset()",
    "(1,)",
    "tuple(range(30))",
    "()",
    "defaultdict(list, {'a': [1]})",
    "OrderedDict([('z', 1), ('a', 2)])",
    "Counter('mississippi')",
    "deque([1, 2, 3], maxlen=5)",
    "UserList([1, 2])",
    "Pair(1, 2)",
    "types.SimpleNamespace(a=1, b='two')",
    "re.compile(r'a+\\d', re.IGNORECASE | re.MULTILINE)",
    "f",
    "len",
    "Plain",
    "int",
    "Pretty()",
    "WithRepr()",
    "Point(1, 2)",
    "Colour.RED",
    "ValueError('bad', 1)",
    "range(10)",
    "slice(1, 10, 2)",
    "datetime.datetime(2024, 1, 2, 3, 4, 5)",
    "datetime.timedelta(days=1, seconds=5)",
    "decimal.Decimal('1.10')",
    "fractions.Fraction(1, 3)",
    "{'a': 1}.keys()",
    "types.MappingProxyType({'a': 1})",
    "cycle_list",
    "cycle_dict",
    "list(range(1100))",
    "['a fairly long string number %d' % i for i in range(4)]",
    "Plain()",
]

NATIVE = r"""
import json, sys
from IPython.core.formatters import PlainTextFormatter
setup, values = json.load(sys.stdin)
namespace = {'__name__': '__main__'}
exec(setup, namespace)
formatter = PlainTextFormatter()
print(json.dumps([formatter(eval(v, namespace)) for v in values]))
"""

ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def native_ipython_texts():
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", NATIVE],
            input=json.dumps([SETUP, VALUES]),
            capture_output=True,
            text=True,
            check=True,
        )
    except subprocess.CalledProcessError as exc:
        raise AssertionError(
            "this comparison needs the real IPython next to the Python that runs pytest "
            f"(on Debian: apt-get install python3-ipython):\n{exc.stderr}"
        ) from None
    return json.loads(done.stdout)


def test_out_values_print_as_in_ipython(kernel):
    namespace = {"__name__": "__main__"}
    exec(SETUP, namespace)
    ours = [kernel.driver.plain_text(eval(v, namespace)) for v in VALUES]
    theirs = native_ipython_texts()
    differences = [
        (v, a, b) for v, a, b in zip(VALUES, ours, theirs) if ADDRESS.sub("", a) != ADDRESS.sub("", b)
    ]
    assert differences == []
    assert len(VALUES) >= 40
