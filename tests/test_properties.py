"""Properties of the small pure parts: the expression evaluator, the distributions, the
Doing-Business clock, scenario parsing, and ``Sample.merge``.

Hypothesis runs derandomised (the same examples every run, so CI is reproducible) with no
deadline. Run: ``PYTHONPATH=$PWD .venv/bin/python -m pytest -q tests/test_properties.py``
"""

from __future__ import annotations

import ast
import datetime as dt
import math

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sim
from sim.engine.stats import Sample
from sim.errors import ExpressionError
from sim.model import distributions as D
from sim.model.clocks import db_days
from sim.model.expressions import compile_condition

PROPS = settings(derandomize=True, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- expressions

class Canary:
    """A case attribute that records every call, attribute read and subscript made on it.

    Comparisons (==, <) are allowed by the whitelist and are not recorded.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "touched", [])

    def __getattribute__(self, name: str):
        if name in ("touched", "__class__", "__eq__", "__ne__", "__hash__", "__bool__", "__lt__", "__le__",
                    "__gt__", "__ge__", "__contains__", "__repr__", "__str__"):
            return object.__getattribute__(self, name)
        object.__getattribute__(self, "touched").append(("attr", name))
        raise AttributeError(name)

    def __call__(self, *a, **k):
        self.touched.append(("call", a))

    def __getitem__(self, key):
        self.touched.append(("item", key))

    def __repr__(self) -> str:
        return "Canary()"


_NAMES = st.sampled_from(["canary", "x", "y", "true", "null", "__import__", "_x", "__builtins__", "open", "eval"])
_SAFE_LEAF = st.one_of(st.integers(-5, 5), st.sampled_from(["x", "y", "true", "'a'"]))


def _exprs(leaf: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Python expression text, mixing whitelisted and forbidden constructs."""
    leaves = st.one_of(leaf.map(str), _NAMES)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%", "/", "**", "and", "or", "==", "<", ">=",
                                              "in", "not in", "if x else", "@", "<<", "|"]), inner)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"(not {e})"),
            inner.map(lambda e: f"(-{e})"),
            st.tuples(inner, st.sampled_from(["__class__", "__globals__", "system", "mro", "real"])).map(lambda t: f"{t[0]}.{t[1]}"),
            inner.map(lambda e: f"{e}()"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            inner.map(lambda e: f"(lambda: {e})"),
            inner.map(lambda e: f"[v for v in {e}]"),
            inner.map(lambda e: f"(z := {e})"),
            st.lists(inner, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ",)"),
            inner.map(lambda e: f"f'{{{e}}}'"),
        )

    return st.recursive(leaves, extend, max_leaves=8)


_WHITELIST = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.FloorDiv,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, ast.IfExp,
)  # the documented whitelist (sim/model/expressions.py docstring), written out independently


@PROPS
@given(_exprs(_SAFE_LEAF))
def test_nothing_outside_the_whitelist_ever_runs(text: str) -> None:
    canary = Canary()
    try:
        cond = compile_condition(text)
    except ExpressionError:
        assert canary.touched == []
        return
    # accepted: then it is made only of whitelisted nodes and no name starts with "_"
    tree = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree):
        assert isinstance(node, _WHITELIST), f"{type(node).__name__} accepted in {text!r}"
        if isinstance(node, ast.Name):
            assert not node.id.startswith("_"), text
    attrs = {"canary": canary, "x": 3, "y": 0, "open": 1, "eval": 2}
    try:
        cond(attrs)
    except ExpressionError:
        pass  # e.g. 1 // 0, or comparing a number with a string: refused, with a message
    assert canary.touched == [], f"{text!r} touched the canary: {canary.touched}"


_SMALL = st.integers(-9, 9)


def _arith() -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "//", "%"])
    return st.recursive(_SMALL.map(lambda n: f"({n})"),
                        lambda inner: st.tuples(inner, ops, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"), max_leaves=6)


@PROPS
@given(_arith(), st.integers(-3, 3))
def test_whitelisted_arithmetic_equals_python(text: str, a: int) -> None:
    try:
        expected = eval(text.replace("a", str(a)))
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="failed"):
            compile_condition(f"{text} == 0")({})
        return
    assert compile_condition(f"{text} == {expected}")({}) is True
    assert compile_condition(f"{text} == {expected + 1}")({}) is False
    assert compile_condition(f"({text}) + a == {expected + a}")({"a": a}) is True


# ---------------------------------------------------------------- distributions

_POS = st.floats(0.1, 50, allow_nan=False)
_DISTS = st.one_of(
    _POS.map(D.Fixed),
    st.tuples(_POS, _POS).map(lambda t: D.Uniform(min(t), max(t))),
    st.tuples(_POS, _POS, _POS).map(sorted).filter(lambda t: t[0] < t[2]).map(lambda t: D.Triangular(*t)),
    _POS.map(D.Exponential),
    st.tuples(_POS, st.floats(0, 5), st.floats(0.5, 60)).map(lambda t: D.TruncatedExponential(t[0], t[1], t[1] + t[2])),
    st.tuples(_POS, st.floats(0, 1.5)).map(lambda t: D.LogNormal(t[0], t[0] * t[1])),
    st.tuples(_POS, st.floats(0.05, 1.5)).map(lambda t: D.Gamma(t[0], t[0] * t[1])),
    # stated moments leave out the cut at 0 (see Normal): only where it is negligible, mean >= 4 sd
    st.tuples(st.floats(0, 20), st.floats(0, 0.25)).map(lambda t: D.Normal(t[0], t[0] * t[1])),
)


@settings(derandomize=True, deadline=None, max_examples=60)
@given(_DISTS)
def test_sampled_mean_and_variance_match_the_stated_ones(d: D.Distribution) -> None:
    n = 40_000
    u = np.random.default_rng(20210610).random(n)  # assumption: any fixed seed; the tolerance is what matters
    x = np.array([d.sample(float(v)) for v in u])
    assert x.min() >= d.lower - 1e-9 and x.max() <= d.upper + 1e-9, (d, x.min(), x.max(), d.lower, d.upper)
    # CLT: the sample mean is within 5 standard errors; the sample variance within 5 of its own
    # standard errors (estimated from the fourth central moment) — a 1-in-a-million miss per check.
    se_mean = math.sqrt(d.variance / n)
    assert abs(x.mean() - d.mean) <= 5 * se_mean + 1e-9 * max(1.0, d.mean), (d, x.mean(), d.mean)
    m4 = float(np.mean((x - x.mean()) ** 4))
    se_var = math.sqrt(max(m4 - x.var() ** 2, 0.0) / n)
    # the 1e-12/1e-16 clipping of u in the samplers cuts a sliver of tail: allow 0.5% for it
    assert abs(x.var(ddof=1) - d.variance) <= 5 * se_var + 0.005 * d.variance + 1e-9, (d, x.var(ddof=1), d.variance)


@PROPS
@given(_DISTS, st.floats(0, 1))
def test_every_sample_lies_in_the_stated_support(d: D.Distribution, u: float) -> None:
    x = d.sample(u)
    assert d.lower - 1e-9 * max(1.0, d.lower) <= x <= d.upper + 1e-9 * max(1.0, d.mean), (d, u, x)
    assert d.variance >= 0 and d.lower <= d.mean <= d.upper


def test_every_distribution_class_states_variance_and_limits() -> None:
    for cls in (D.Fixed, D.Uniform, D.Triangular, D.Exponential, D.TruncatedExponential, D.LogNormal, D.Gamma, D.Normal):
        assert "variance" in vars(cls), f"{cls.__name__} does not state its variance"
    assert D.Uniform(1, 3).variance == pytest.approx(1 / 3) and (D.Uniform(1, 3).lower, D.Uniform(1, 3).upper) == (1, 3)
    assert D.Exponential(2).variance == 4 and D.Exponential(2).upper == math.inf
    assert D.Fixed(2).variance == 0 and D.Fixed(2).lower == D.Fixed(2).upper == 2


# ---------------------------------------------------------------- Doing-Business clock

_HOURS = st.floats(0, 24 * 30, allow_nan=False)
_BOOLS = st.booleans()


@st.composite
def _procedures(draw, online: st.SearchStrategy[bool] = _BOOLS):
    n = draw(st.integers(1, 6))
    out = []
    for _ in range(n):
        start = draw(_HOURS)
        out.append((start, start + draw(st.floats(0, 24 * 5)), draw(online)))
    return out


@PROPS
@given(st.lists(st.floats(0.0, 100.0), min_size=1, max_size=6), st.floats(0, 24 * 3))
def test_sequential_in_person_procedures_take_at_least_one_day_each(durations: list[float], gap: float) -> None:
    procs, t = [], 0.0
    for d in durations:
        procs.append((t, t + d, False))
        t += d + gap
    assert db_days(0.0, t, procs) >= len(procs) - 1e-9


@PROPS
@given(st.floats(0, 12), st.floats(0, 100))
def test_one_short_online_procedure_counts_half_a_day(duration: float, start: float) -> None:
    assert db_days(start, start + duration, [(start, start + duration, True)]) == pytest.approx(0.5)


@PROPS
@given(st.integers(1, 6), st.floats(0, 23), st.floats(0, 1))
def test_simultaneous_procedures_start_on_consecutive_days(n: int, start: float, duration: float) -> None:
    procs = [(start, start + duration, False)] * n
    # the last starts on day n-1 and lasts at least a day: n days at least; and no more than n + the start hour
    days = db_days(0.0, start + duration, procs)
    assert n - 1e-9 <= days <= n + 1.0


@PROPS
@given(_procedures(), st.data())
def test_db_days_is_monotone_in_durations(procs, data) -> None:
    end = max(p[1] for p in procs)
    base = db_days(0.0, end, procs)
    i = data.draw(st.integers(0, len(procs) - 1))
    extra = data.draw(st.floats(0, 24 * 5))
    longer = list(procs)
    s, e, o = longer[i]
    # same precedence: no other procedure's start falls between the old and the new end (if one did,
    # the two now overlap, are simultaneous under the DB rules, and the total may rightly drop)
    assume(all(not (e <= p[0] < e + extra) for j, p in enumerate(procs) if j != i))
    longer[i] = (s, e + extra, o)
    assert db_days(0.0, max(end, e + extra), longer) >= base - 1e-9


@PROPS
@given(_procedures(online=st.just(False)))
def test_db_days_at_least_the_elapsed_time_and_one_day(procs) -> None:
    end = max(p[1] for p in procs)
    days = db_days(0.0, end, procs)
    assert days >= end / 24 - 1e-9 and days >= 1 - 1e-9


# ---------------------------------------------------------------- scenario parsing round-trips

_SRC = st.sampled_from(["assumption: test value", "calibration: dummy_id"])


@st.composite
def _valid_scenarios(draw) -> dict:
    data: dict = {"name": draw(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8))}
    if draw(st.booleans()):
        data["cases"] = draw(st.integers(1, 10_000))
    if draw(st.booleans()):
        data["replications"] = draw(st.integers(1, 50))
    if draw(st.booleans()):
        data["seed"] = draw(st.integers(0, 2**31))
    if draw(st.booleans()):
        data["start"] = draw(st.dates(dt.date(2021, 1, 1), dt.date(2022, 12, 31))).isoformat()
    if draw(st.booleans()):
        data["arrivals"] = {"rate_per_workday": draw(st.floats(0.1, 500)), "source": draw(_SRC)}
    if draw(st.booleans()):
        data["agencies"] = {draw(st.sampled_from(["registrar", "tax", "a_b"])): {"staff": draw(st.integers(1, 40)),
                                                                                   "source": draw(_SRC)}}
    if draw(st.booleans()):
        data["attributes"] = {"is_x": {"p": draw(st.floats(0, 1)), "source": draw(_SRC)}}
    if draw(st.booleans()):
        data["routing"] = {"f1": draw(st.floats(0, 1)), "source": draw(_SRC)}
    return data


@PROPS
@given(_valid_scenarios())
def test_scenario_parses_the_same_from_a_mapping_and_from_its_yaml(tmp_path_factory, data: dict) -> None:
    direct = sim.parse_scenario(data)
    path = tmp_path_factory.mktemp("sc") / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = sim.load_scenario(path)
    for key in ("name", "start", "cases", "replications", "seed", "arrivals", "agencies", "attributes", "routing"):
        assert getattr(loaded, key) == getattr(direct, key), key
    # and a parsed scenario parses again to itself from its own values
    for key in ("cases", "replications", "seed"):
        if key in data:
            assert getattr(direct, key) == data[key]


# ---------------------------------------------------------------- Sample.merge past its cap

def test_merge_past_the_cap_weighs_both_sides_by_their_counts() -> None:
    a, b = Sample(cap=100), Sample(cap=100)
    for _ in range(100):
        a.add(1.0)
        b.add(0.0)
    a.merge(b)
    assert a.count == 200 and a.mean == 0.5
    assert a.share_at_most(0.5) == pytest.approx(0.5)  # was 0.0: only a's values were kept
    assert a.quantile(0.25) == 0.0 and a.quantile(0.75) == 1.0


def test_merge_into_a_folded_sample_keeps_count_shares() -> None:
    a, b = Sample(cap=100), Sample(cap=100)
    for _ in range(300):
        a.add(1.0)  # past the cap: a's 100 kept values stand for 300
    for _ in range(100):
        b.add(0.0)
    a.merge(b)
    assert a.count == 400
    assert a.share_at_most(0.5) == pytest.approx(0.25)
    assert len(a.values()) == 100


@PROPS
@given(st.lists(st.integers(1, 400), min_size=1, max_size=5))
def test_merged_share_tracks_the_pooled_share(sizes: list[int]) -> None:
    pooled = Sample(cap=200)
    truth_hits = truth_n = 0
    for k, n in enumerate(sizes):
        part = Sample(cap=200)
        value = float(k % 2)
        for _ in range(n):
            part.add(value)
        truth_hits += n if value <= 0.5 else 0
        truth_n += n
        pooled.merge(part)
    assert pooled.count == truth_n
    # the kept values are a random subset: within 4 binomial standard errors of the exact share,
    # plus one slot per merge for rounding (the old merge dropped whole parts: far outside this)
    p, keep = truth_hits / truth_n, min(200, truth_n)
    assert abs(pooled.share_at_most(0.5) - p) <= 4 * math.sqrt(p * (1 - p) / keep) + len(sizes) / keep + 1e-9
