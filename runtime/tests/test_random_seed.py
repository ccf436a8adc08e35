"""The host reseeds `random` before each run (seed_random); a seed the notebook set must stay, as
in Jupyter, where random.seed(42) in one cell fixes the numbers the next cells draw."""
import json
import random

import pytest


@pytest.fixture(autouse=True)
def fresh_random_module(monkeypatch):
    # The driver wraps random.seed and random.setstate; each test is a fresh interpreter.
    monkeypatch.setattr(random, "seed", random.seed)
    monkeypatch.setattr(random, "setstate", random.setstate)


def seed_from_host(kernel, seed):
    kernel.driver.call(json.dumps({"op": "seed_random", "seed": seed}))
    assert kernel.fake.records[-1] == ("reply", {"ok": True})


def test_a_seed_the_notebook_set_survives_the_hosts_reseed(kernel):
    seed_from_host(kernel, 1)
    kernel.run("import random\nrandom.seed(42)")
    seed_from_host(kernel, 2)
    drawn = kernel.run("print([random.randint(1, 6) for _ in range(8)])").stdout
    reference = random.Random(42)
    assert drawn == f"{[reference.randint(1, 6) for _ in range(8)]}\n"


def test_setstate_counts_as_seeding_and_seed_none_hands_back(kernel):
    seed_from_host(kernel, 1)
    kernel.run("import random\nstate = random.Random(5).getstate()\nrandom.setstate(state)")
    seed_from_host(kernel, 2)
    assert kernel.run("print(random.random())").stdout == f"{random.Random(5).random()}\n"
    kernel.run("random.seed()")
    seed_from_host(kernel, 3)
    assert kernel.run("print(random.random())").stdout == f"{random.Random(3).random()}\n"


def test_without_a_notebook_seed_each_run_gets_the_hosts(kernel):
    seed_from_host(kernel, 7)
    first = kernel.run("import random\nprint(random.random())").stdout
    seed_from_host(kernel, 7)
    assert kernel.run("print(random.random())").stdout == first


def test_the_wrapped_seed_still_reads_as_random_seed(kernel):
    seed_from_host(kernel, 1)
    import inspect

    assert random.seed.__doc__ == random.Random.seed.__doc__
    assert str(inspect.signature(random.seed)) == "(a=None, version=2)"
