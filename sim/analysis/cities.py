"""Province-wide (全省) targets judged in every 市县: each one's demand and staff, its verdict, the weakest.

A chain's model describes one window (the reference 市县's, ``reference:`` in the cities file). A 市县 gets
the model's arrival rate × its residents / the reference's residents (× its own ``demand:`` factor, if
any) and, at every agency, the model's staff × that demand ratio, rounded up, at least 1 — the models' own
sizing rule (about 70% busy), unless the file gives that 市县's ``staff:``. A province-wide target holds only
where it holds in every 市县, so the row's verdict is the weakest 市县's; the report names the weakest.

Small windows matter: at the same utilisation one server queues far longer than twelve (Erlang C), and
rounding up to whole people leaves some 市县 busier than others — which is what this dimension shows.

Example:
    >>> cs = load_cities()
    >>> len(cs.cities), cs.reference.name, round(cs.ratio(cs.by_id["sanya"]), 3)
    (19, '海口市', 0.359)
    >>> staff_for(12, 0.359), staff_for(12, 0.0008)
    (5, 1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..i18n import CITIES, agency_name
from ..errors import ScenarioError, did_you_mean
from ..model.scenario import Scenario

__all__ = ["CITIES_FILE", "City", "Cities", "CityVerdict", "load_cities", "staff_for", "city_scenario", "judge_cities",
           "weakest_text", "city_rows", "simulate_city", "SECTION", "SCOPE_PROVINCE"]

CITIES_FILE = Path(__file__).resolve().parents[1] / "data" / "cities.yaml"
SCOPE_PROVINCE = "全省"  # a register check's `scope:`; judged in every 市县
MAX_DEMAND = 100.0  # a 市县's demand factor beyond ×100 of its population share is a typo, not a plan
WEAKEST = 3  # how many of the weakest 市县 a reason names
# A small 市县 sees few applications: 300 cases at Sansha's 0.03 a day would span 40 years. Its cases are
# those of at most this many working days (about 5 years: a 2021 start stays on the official calendar),
# never fewer than MIN_CASES; the row says how many each 市县 ran.
HORIZON_WORKDAYS, MIN_CASES = 1200, 30


@dataclass(frozen=True)
class City:
    id: str
    name: str
    name_en: str
    residents: int
    demand: float = 1.0  # × the population rule (a planner's own estimate for this 市县)
    staff: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # agency -> people (overrides)

    def label(self, lang: str = "zh") -> str:
        return self.name if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Cities:
    cities: tuple[City, ...]
    reference_id: str
    source: str
    file: str

    @property
    def by_id(self) -> dict[str, City]:
        return {c.id: c for c in self.cities}

    @property
    def reference(self) -> City:
        return self.by_id[self.reference_id]

    def ratio(self, city: City) -> float:
        """The 市县's demand relative to the model's window (the reference 市县)."""
        return city.residents / self.reference.residents * city.demand


def staff_for(reference_staff: int, ratio: float) -> int:
    """People at one agency of a 市县: the reference's staff × the demand ratio, rounded up, at least 1."""
    return max(1, math.ceil(reference_staff * ratio - 1e-9))


def _whole(p: list[tuple[str, str]], where: str, value: Any, low: int = 1) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        p.append((where, f"expected a whole number ≥ {low}, got {value!r}"))
        return None
    return value


def load_cities(path: str | Path | None = None) -> Cities:
    """The 市县 of ``path`` (default: the bundled ``sim/data/cities.yaml``); every problem located, together."""
    from ..inputs import read_yaml  # bounded, safe types only, located YAML errors

    file = Path(path) if path is not None else CITIES_FILE
    data = read_yaml(file)
    p: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise ScenarioError([("", "expected a mapping with source:, reference: and cities:")], file=str(file))
    for key in data:
        if key not in ("source", "reference", "cities"):
            p.append((str(key), f"unknown key{did_you_mean(str(key), ['source', 'reference', 'cities'])}"))
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        p.append(("source", "expected where the residents figures come from (a source id or citation)"))
    raw = data.get("cities")
    cities: list[City] = []
    if not isinstance(raw, list) or not raw:
        p.append(("cities", "expected a list of 市县, each {id, name, name_en, residents}"))
        raw = []
    for i, entry in enumerate(raw):
        where = f"cities[{i}]"
        if not isinstance(entry, dict):
            p.append((where, f"expected {{id, name, name_en, residents}}, got {entry!r}"))
            continue
        for key in entry:
            if key not in ("id", "name", "name_en", "residents", "demand", "staff"):
                p.append((f"{where}.{key}", f"unknown key{did_you_mean(str(key), ['id', 'name', 'name_en', 'residents', 'demand', 'staff'])}"))
        cid, name = entry.get("id"), entry.get("name")
        if not isinstance(cid, str) or not cid:
            p.append((f"{where}.id", f"expected an id (letters), got {cid!r}"))
            continue
        where = f"cities[{i}] ({cid})"
        if not isinstance(name, str) or not name:
            p.append((f"{where}.name", "expected the 市县's Chinese name"))
        residents = _whole(p, f"{where}.residents", entry.get("residents"))
        demand = entry.get("demand", 1.0)
        if isinstance(demand, bool) or not isinstance(demand, (int, float)) or not 0 < demand <= MAX_DEMAND:
            p.append((f"{where}.demand", f"expected a factor in (0, {MAX_DEMAND:g}] on the population rule, got {demand!r}"))
            demand = 1.0
        staff_raw = entry.get("staff", {})
        staff: dict[str, int] = {}
        if not isinstance(staff_raw, dict):
            p.append((f"{where}.staff", f"expected {{agency: people}}, got {staff_raw!r}"))
        else:
            for aid, n in staff_raw.items():
                v = _whole(p, f"{where}.staff.{aid}", n)
                if v is not None:
                    staff[str(aid)] = v
        if any(c.id == cid for c in cities):
            p.append((f"{where}.id", "used twice"))
        cities.append(City(cid, str(name or cid), str(entry.get("name_en") or cid), residents or 1, float(demand),
                           MappingProxyType(staff)))
    ref = data.get("reference")
    ids = [c.id for c in cities]
    if ref not in ids:
        p.append(("reference", f"expected the id of the 市县 whose window the models describe{did_you_mean(str(ref), ids)}; "
                               f"one of {', '.join(ids)}"))
    if p:
        raise ScenarioError(p, file=str(file))
    return Cities(tuple(cities), str(ref), str(source), str(file))


def city_scenario(run: Any, cities: Cities, city: City) -> Scenario:
    """The prepared run's resolved scenario moved to ``city``: its demand and staff (see the module doc).

    Staff named for an agency the chain does not use is an error naming the cities file and the entry.
    """
    sc = run.scenario
    used = run.process.agencies()
    unknown = sorted(set(city.staff) - set(used))
    if unknown:
        i = [c.id for c in cities.cities].index(city.id)
        raise ScenarioError([(f"cities[{i}] ({city.id}).staff.{a}", f'no step of process "{run.process.id}" is handled by this '
                                                                   f'agency{did_you_mean(a, used)}') for a in unknown],
                            file=cities.file)
    if sc.arrivals.rate_per_workday is None:
        raise ScenarioError([("arrivals", "a province-wide target is judged per 市县 by scaling the arrival rate; "
                                          "this run has fixed arrival times (times_h), give rate_per_workday")], file=sc.file)
    k = cities.ratio(city)
    agencies = {}
    for aid, spec in sc.agencies.items():
        n = city.staff.get(aid, staff_for(spec.staff or 1, k))
        agencies[aid] = replace(spec, staff=n, source=f"{city.name}: {'the cities file' if aid in city.staff else 'sized by the models’ rule on its demand'}")
    rate = sc.arrivals.rate_per_workday * k
    arrivals = replace(sc.arrivals, rate_per_workday=rate,
                       source=f"{sc.arrivals.source}; {city.name}: × residents/{cities.reference.name} ({cities.source})")
    return replace(sc, name=f"{sc.name} · {city.id}", arrivals=arrivals, agencies=MappingProxyType(agencies))


@dataclass
class CityVerdict:
    city: City
    share: float
    lo: float
    hi: float
    verdict: str
    rate: float  # applications per working day
    staff: dict[str, int]
    cases: int  # per replication (fewer than the run's where the 市县's demand is small: HORIZON_WORKDAYS)
    agency_names: dict[str, str] = field(default_factory=dict)  # id -> the 责任单位 name

    def as_dict(self) -> dict[str, Any]:
        return {"city": self.city.id, "name": self.city.name, "name_en": self.city.name_en, "share": self.share,
                "lo": self.lo, "hi": self.hi, "verdict": self.verdict, "rate_per_workday": self.rate, "staff": self.staff, "cases": self.cases,
                "agency_names": self.agency_names}


def simulate_city(run: Any, cities: Cities, city: City, window: Any = None) -> tuple[Scenario, int, Any]:
    """``city``'s scenario, its cases per replication and its simulated result, for a prepared ``run`` of the window
    (:func:`sim.engine.runner.prepare_run`; its seed: common random numbers across 市县). ``window``: the run's own
    result, reused for the reference 市县 without overrides (same demand, staff and random numbers).
    """
    from ..engine.executors import EXPLORING
    from ..engine.runner import simulate

    sc = city_scenario(run, cities, city)
    rate = sc.arrivals.rate_per_workday or 0.0
    n = max(MIN_CASES, min(run.scenario.cases, int(rate * HORIZON_WORKDAYS)))
    same = city.id == cities.reference_id and city.demand == 1.0 and not city.staff and n == run.scenario.cases
    res = window if same and window is not None else simulate(run.loaded or run.process, replace(sc, cases=n),
                                                                executor=EXPLORING)
    return sc, n, res


def judge_cities(loaded: Any, scenario: Scenario | None, metric: str, th: Any, required: float, *, cases: int,
                 replications: int, seed: int, cities: Cities | None = None, window: Any = None) -> list[CityVerdict]:
    """Each 市县's share meeting ``th`` on ``metric`` and its verdict, weakest first (same seed: common random numbers).

    ``window``: the chain's own run at these cases, replications and seed; the reference 市县 without overrides
    is that run (same demand, staff and random numbers), so it is not simulated again.
    """
    from ..engine.runner import prepare_run
    from .assess import share_meeting, verdict

    cities = cities or load_cities()
    run = prepare_run(loaded, scenario, cases=cases, replications=replications, seed=seed)
    out = []
    for city in cities.cities:
        sc, n, res = simulate_city(run, cities, city, window)
        share, lo, hi = share_meeting(res, metric, th)
        out.append(CityVerdict(city, share, lo, hi, verdict(share, lo, hi, required), sc.arrivals.rate_per_workday or 0.0,
                               {a: s.staff or 0 for a, s in sc.agencies.items()}, n,
                               {a: s.name or a for a, s in sc.agencies.items()}))
    return sorted(out, key=lambda v: (v.lo if not math.isnan(v.lo) else v.share, v.share, v.city.id))


def weakest_text(verdicts: list[CityVerdict], lang: str = "zh") -> str:
    """One sentence naming how many 市县 meet it and the weakest few."""
    from .assess import REACHABLE

    held = sum(1 for v in verdicts if v.verdict == REACHABLE)
    weak = ("、" if lang == "zh" else ", ").join(f"{v.city.label(lang)} {v.share:.0%}" for v in verdicts[:WEAKEST])
    if lang == "zh":
        return f"全省{len(verdicts)}个市县中{held}个可达成；最弱：{weak}（达标案件占比）。"
    return f"{held} of {len(verdicts)} 市县 reach it; weakest: {weak} (share of cases meeting it)."


SECTION = {lang: CITIES[lang]["section"] for lang in CITIES}  # the one table of labels: sim.i18n
_COLUMNS = {lang: CITIES[lang]["columns"] for lang in CITIES}


def city_rows(target: str, cities: list[dict[str, Any]], lang: str = "zh") -> list[dict[str, Any]]:
    """Table rows (report and Excel) of one row's 市县 results, as :meth:`CityVerdict.as_dict` gives them."""
    from .assess import verdict_words

    cols = _COLUMNS[lang]
    return [{cols[0]: target, cols[1]: c["name"] if lang == "zh" else c["name_en"], cols[2]: round(c["share"], 4),
             cols[3]: f"{c['lo']:.1%}–{c['hi']:.1%}", cols[4]: verdict_words(c["verdict"], lang),
             cols[5]: round(c["rate_per_workday"], 2), cols[6]: ("、" if lang == "zh" else ", ").join(f"{agency_name(a, lang, c['agency_names'].get(a))} {n}"
                                                for a, n in c["staff"].items()),
             cols[7]: c["cases"]} for c in cities]
