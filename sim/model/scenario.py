"""Scenarios: the load and assumptions a process is run under.

A process file says what the procedure is; a scenario says what we assume or try: arrivals,
staff and opening hours per agency, case-attribute mixes, per-step duration overrides, branch
shares, the start date, and how many cases and replications. :func:`parse_scenario` validates a
plain mapping (read from YAML by :mod:`sim.scenarios`) and reports *all* problems at once with
their YAML paths; :func:`resolve_scenario` fills what the scenario leaves open from the process's
own defaults, then from the documented defaults below, and says which it used.

Documented defaults (each an assumption, reported in ``Scenario.notes`` when used):

- start date 2021-07-01 (the plan's year, after its 2021-06-10 issue);
- office hours 09:00-12:00,13:30-17:30 (7 h; assumption: common 政务服务中心 hours);
- staff per agency sized so it is about 70% busy at the assumed demand (at least 1);
- 20 applications per working day; 1000 cases; 5 replications; seed 2021;
- a boolean case attribute with no mix is true for half of the cases.

``ranges:`` gives plausible ranges by assumption id (:mod:`sim.model.assumptions`, syntax
:mod:`sim.model.ranges`): ``t_register.wait: "0.05-1 workday | no published per-step figure"``,
``agency.market_regulation.staff: "9-17 staff | why"``, ``arrivals.rate_per_workday``, ``<flow>.share``,
``attribute.<name>.p``. They range the numbers the scenario sets and override or add ranges on the
process's; a range must contain its number, a range on a sourced number adds ``| source: where``, and
a file that writes ``ranges:`` must range every number it sets and marks as an assumption.

``excluded_levers:`` lists levers that are politically off the table, everywhere (``- commitment``)
or on some steps (``- {lever: online, steps: [t_seal], reason: "…"}``; ``agencies:`` for staff):
sensitivity and the fix search never propose them (:mod:`sim.model.legal`). The scenario's own
``edits:`` are the planner's explicit choice and are applied whatever it excludes.

Example:
    >>> s = parse_scenario({"cases": 200, "agencies": {"registrar": {"staff": 3, "source": "assumption: x"}}})
    >>> s.cases, s.agencies["registrar"].staff
    (200, 3)
    >>> parse_scenario({"cases": -1})
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: <scenario>: cases: expected a whole number > 0, got -1
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ..errors import CalendarError, ScenarioError, did_you_mean
from ..i18n import Text, agency_choices, agency_id, agency_name
from .bounds import SHARE_TOLERANCE, check_number
from .calendar import OFFICIAL, OpeningHours
from .edits import edit_files, parse_edits
from .legal import Exclusion, parse_exclusions
from .official_days import OfficialDays, parse_calendar
from .expressions import numeric_names, text_values
from .levers import Lever
from .process import Duration, Process, parse_duration
from .assumptions import check_scenario_numbers
from .ranges import parse_range
from .schema import MAX_INSTANCES, SCENARIO, Key


__all__ = [
    "AgencySpec",
    "ArrivalSpec",
    "AttributeSpec",
    "StepOverride",
    "Scenario",
    "parse_scenario",
    "resolve_scenario",
    "DEFAULTS",
    "MAX_INSTANCES",
    "SCENARIO",
]

DEFAULTS: dict[str, Any] = {
    "start": dt.date(2021, 7, 1),
    "office_hours": "09:00-12:00,13:30-17:30",
    "rate_per_workday": 20.0,
    "cases": 1000,
    "replications": 5,
    "seed": 2021,
    "attribute_p": 0.5,
}


@dataclass(frozen=True)
class AgencySpec:
    id: str
    name: str = ""
    staff: int | None = None  # None: not given here (the process default, or sized for ~70% load)
    hours: OpeningHours | None = None  # None: the scenario's office hours
    source: str = ""


@dataclass(frozen=True)
class ArrivalSpec:
    """Poisson arrivals at ``rate_per_workday`` during office hours, or fixed offsets in hours."""

    rate_per_workday: float | None = DEFAULTS["rate_per_workday"]
    times_h: tuple[float, ...] | None = None
    source: str = ""
    growth: float = 1.0  # demand multiplier on the rate (a surge); folded into the rate by resolve_scenario


@dataclass(frozen=True)
class AttributeSpec:
    """A case attribute: boolean with probability ``p``, or one of ``values`` with shares, drawn when the case arrives.

    ``set_by``: steps that give it a new value when they end, each as ``(step id, ((value, share), ...))`` (Prosimos's
    event attributes). With neither ``p`` nor ``values`` it has no value (None) until such a step ends, and a
    condition comparing it with a value is false until then.

    >>> AttributeSpec("outcome", set_by=(("t_review", (("pass", 0.8), ("fail", 0.2))),)).changes
    True
    """

    name: str
    p: float | None = None
    values: tuple[tuple[Any, float], ...] = ()
    source: str = ""
    set_by: tuple[tuple[str, tuple[tuple[Any, float], ...]], ...] = ()

    @property
    def changes(self) -> bool:
        """Whether a step changes it during the case (the ``fast`` executor draws attributes once per case)."""
        return bool(self.set_by)


@dataclass(frozen=True)
class StepOverride:
    work: Duration | None = None
    wait: Duration | None = None
    source: str = ""
    instances: int | None = None  # copies of a multi-instance step (read by the loader, sim.bpmn.prepare)


@dataclass(frozen=True)
class Scenario:
    name: str = "default"
    process: str | None = None  # path of the BPMN file, relative paths resolved against the file
    start: dt.date = DEFAULTS["start"]
    office_hours: OpeningHours = field(default_factory=lambda: OpeningHours.parse(DEFAULTS["office_hours"]))
    cases: int = DEFAULTS["cases"]
    replications: int = DEFAULTS["replications"]
    seed: int = DEFAULTS["seed"]
    arrivals: ArrivalSpec = field(default_factory=ArrivalSpec)
    agencies: Mapping[str, AgencySpec] = field(default_factory=lambda: MappingProxyType({}))
    attributes: Mapping[str, AttributeSpec] = field(default_factory=lambda: MappingProxyType({}))
    steps: Mapping[str, StepOverride] = field(default_factory=lambda: MappingProxyType({}))
    routing: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))  # flow id -> share
    edits: tuple[Lever, ...] = ()  # typed levers (sim.model.levers), parsed from `edits:` at load time
    edit_files: tuple[str | None, ...] = ()  # per edit: the file it was inherited from (extends:), None for this file's own
    # levers the planners take off the table: sensitivity and the fix search never propose them (sim.model.legal)
    excluded_levers: tuple[Exclusion, ...] = ()
    file: str | None = None
    notes: tuple[str, ...] = ()
    explicit: frozenset[str] = frozenset()  # top-level keys the file set (the rest are defaults)
    # Arrivals stop after this many working days (then fewer than ``cases`` may arrive); cases that
    # arrive in the warm-up (an empty office filling up) run but are left out of the case KPIs.
    horizon_workdays: float | None = None
    warmup_workdays: float = 0.0
    # The official calendar: years the scenario supplies (``calendar:``), then chinese_calendar,
    # then the statutory projection (sim.model.official_days).
    days: OfficialDays = OFFICIAL
    # Plausible ranges by assumption id (``ranges:``, syntax sim.model.ranges): they range the scenario's own
    # assumed numbers and override or add ranges on the process's (sim.model.assumptions).
    ranges: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    routing_source: str = ""  # the ``routing.source`` text: whether the shares are assumed decides if they need ranges

    def instances(self) -> dict[str, int]:
        """Step id -> number of copies, for the multi-instance steps whose count the scenario gives."""
        return {sid: o.instances for sid, o in self.steps.items() if o.instances is not None}


_TOP_KEYS = SCENARIO.names()


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, what: str) -> None:
        self.items.append((path, what))


def _unknown(p: _Problems, block: Mapping[str, Any], schema: Key, path: str = "", *, skip: tuple[str, ...] = ()) -> None:
    """Every key of ``block`` that ``schema`` does not declare, with "did you mean"."""
    names = schema.names()
    for key in block:
        if key not in names and key not in skip:
            p.add(f"{path}.{key}" if path else str(key), f"unknown setting{did_you_mean(str(key), names)}")


def _int(p: _Problems, path: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        p.add(path, f"expected a whole number >= {minimum}, got {value!r}" if minimum != 1 else f"expected a whole number > 0, got {value!r}")
        return None
    try:
        return check_number(value, low=minimum, high=maximum, whole=True)
    except ValueError as exc:
        p.add(path, str(exc))
        return None


def _number(p: _Problems, path: str, value: Any, low: float = 0.0, high: float | None = None) -> float | None:
    """``value`` as a float if finite and in [low, high] (see :func:`~sim.model.bounds.check_number`), else a problem."""
    try:
        return float(check_number(value, low=low, high=high))
    except ValueError as exc:
        p.add(path, str(exc))
        return None


def _value(p: _Problems, key: Key, path: str, value: Any) -> Any:
    """``value`` checked as the schema's ``key`` says (its kind and bounds); None, with a problem, when it is not."""
    kind = key.kind
    if kind == "count":
        return _int(p, path, value, minimum=int(key.low or 0), maximum=None if key.high is None else int(key.high))
    if kind in ("number", "share"):
        return _number(p, path, value, low=key.low or 0.0, high=key.high)
    if kind == "text":
        return str(value)
    if kind == "path":
        if isinstance(value, str):
            return value
        p.add(path, f"expected a path to a BPMN file, got {value!r}")
        return None
    if kind == "hours":
        try:
            return OpeningHours.parse(value)
        except ValueError as exc:
            p.add(path, str(exc))
            return None
    if kind == "duration":
        try:
            return parse_duration(value)
        except ValueError as exc:
            p.add(path, str(exc))
            return None
    if kind == "date":
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, dt.date):
            return value
        p.add(path, f"expected a date like 2021-07-01, got {str(value)[:40]!r}")
        return None
    raise AssertionError(f"schema kind {kind!r} of {path} has no check")  # a key added to the schema without one


def _needs_source(p: _Problems, path: str, block: Mapping[str, Any]) -> str:
    source = block.get("source")
    if not isinstance(source, str) or not source.strip():
        p.add(f"{path}.source", "every number needs a source: an id of sim/data/sources.yaml, a seed clause, or 'assumption: why'")
        return ""
    return source


# Keys whose value is a block with its own parser; every other key of SCENARIO is one value checked by _value.
# The fields of Scenario they set, where the name differs.
_FIELD = {"calendar": "days"}
_NOT_STORED = ("description", "source", "extends")  # read by people or by the loader (sim.scenarios), not by the run


def parse_scenario(data: Any, *, file: str | None = None) -> Scenario:
    """Validate a scenario mapping against :data:`~sim.model.schema.SCENARIO`; raise :class:`ScenarioError` listing every problem."""
    p = _Problems()
    if not isinstance(data, Mapping):
        raise ScenarioError([("", f"expected a mapping of scenario settings, got {type(data).__name__}")], file=file)
    _unknown(p, data, SCENARIO)
    blocks = {"calendar": lambda block: _calendar(p, block, file), "arrivals": lambda block: _arrivals(p, block),
              "agencies": lambda block: MappingProxyType(_agencies(p, block)),
              "attributes": lambda block: MappingProxyType(_attributes(p, block)),
              "steps": lambda block: MappingProxyType(_steps(p, block)), "routing": lambda block: MappingProxyType(_routing(p, block)),
              "edits": lambda block: _edits(p, block, file, kw),
              "excluded_levers": lambda block: _exclusions(p, block),
              "ranges": lambda block: MappingProxyType(_ranges(p, block))}
    kw: dict[str, Any] = {}
    for key in SCENARIO.keys:
        if key.name not in data or key.name in _NOT_STORED:
            continue
        value = blocks[key.name](data[key.name]) if key.name in blocks else _value(p, key, key.name, data[key.name])
        if value is not None:
            kw[_FIELD.get(key.name, key.name)] = value
        _after(p, key.name, kw)
    if isinstance(data.get("routing"), Mapping):
        kw["routing_source"] = str(data["routing"].get("source", ""))
    if p.items:
        raise ScenarioError(p.items, file=file)
    scenario = Scenario(file=file, explicit=frozenset(k for k in data if k in _TOP_KEYS), **kw)
    # Ranges must contain the numbers they range; a file that writes ranges must range every assumption it
    # sets (one that writes none still runs at its point values; judging it over ranges refuses it: sim.model.assumptions)
    if problems := check_scenario_numbers(scenario, strict=bool(scenario.ranges)):
        raise ScenarioError(problems, file=file)
    return scenario


def _ranges(p: _Problems, block: Any) -> dict[str, str]:
    """``ranges:`` — assumption id -> "lo-hi unit | reason[ | source: where]" (sim.model.ranges), syntax checked here."""
    if not isinstance(block, Mapping):
        p.add("ranges", 'expected a mapping assumption id -> "lo-hi unit | reason", e.g. t_register.wait: "0.05-1 workday | why"')
        return {}
    out = {}
    for rid, text in block.items():
        try:
            parse_range(text if isinstance(text, str) else repr(text))
        except ValueError as exc:
            p.add(f"ranges.{rid}", str(exc))
            continue
        out[str(rid)] = text
    return out


def _after(p: _Problems, name: str, kw: dict[str, Any]) -> None:
    """The checks of one key that need another: the start's year in the calendar, the warm-up inside the horizon."""
    if name == "start" and "start" in kw:
        try:
            kw.get("days", OFFICIAL).basis(kw["start"].year)
        except CalendarError as exc:
            p.add("start", str(exc))
    elif name == "horizon_workdays" and kw.get("horizon_workdays", 1) <= 0:
        p.add("horizon_workdays", "expected a number of working days > 0")
    elif name == "warmup_workdays" and "warmup_workdays" in kw and "horizon_workdays" in kw:
        if kw["warmup_workdays"] >= kw["horizon_workdays"]:
            p.add("warmup_workdays", f"expected less than horizon_workdays ({kw['horizon_workdays']:g}), got {kw['warmup_workdays']:g}")


def _calendar(p: _Problems, block: Any, file: str | None) -> OfficialDays | None:
    try:
        return parse_calendar(block, file=file)
    except ScenarioError as exc:
        p.items.extend(exc.problems)
        return None


def _edits(p: _Problems, block: Any, file: str | None, kw: dict[str, Any]) -> tuple[Lever, ...] | None:
    try:  # typed levers at load time: a bad edit fails here, with its path (sim.model.edits)
        levers = parse_edits(block, file=file)
    except ScenarioError as exc:
        p.items.extend(exc.problems)
        return None
    kw["edit_files"] = edit_files(block)
    return levers


def _exclusions(p: _Problems, block: Any) -> tuple[Exclusion, ...]:
    exclusions, problems = parse_exclusions(block)
    p.items.extend(problems)
    return exclusions


_ARRIVALS = SCENARIO.child("arrivals")


def _arrivals(p: _Problems, block: Any) -> ArrivalSpec:
    if not isinstance(block, Mapping):
        p.add("arrivals", "expected a mapping with rate_per_workday (and source), or times_h")
        return ArrivalSpec()
    _unknown(p, block, _ARRIVALS, "arrivals")
    rate = times = None
    growth = 1.0
    if "growth" in block:
        g = _value(p, _ARRIVALS.child("growth"), "arrivals.growth", block["growth"])
        if g == 0:
            p.add("arrivals.growth", "expected a number > 0 (a demand multiplier, e.g. 2.0 for twice the applications)")
        elif g is not None:
            growth = g
        if "times_h" in block:
            p.add("arrivals.growth", "growth multiplies rate_per_workday; it cannot apply to fixed times_h")
    if "rate_per_workday" in block:
        rate = _value(p, _ARRIVALS.child("rate_per_workday"), "arrivals.rate_per_workday", block["rate_per_workday"])
        if rate == 0:
            p.add("arrivals.rate_per_workday", "expected a number > 0")
    if "times_h" in block:
        raw, most = block["times_h"], _ARRIVALS.child("times_h").high
        if not isinstance(raw, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                  and 0 <= x <= most for x in raw):
            p.add("arrivals.times_h", f"expected a list of arrival offsets in hours (finite numbers from 0 to {most:g})")
        else:
            times = tuple(sorted(float(x) for x in raw))
    if rate is None and times is None and "rate_per_workday" not in block and "times_h" not in block and "growth" not in block:
        p.add("arrivals", "expected rate_per_workday, growth or times_h")
    numbered = rate is not None or "growth" in block
    source = _needs_source(p, "arrivals", block) if numbered else str(block.get("source", ""))
    if times is not None:
        return ArrivalSpec(rate_per_workday=None, times_h=times, source=source)
    # growth alone keeps the rate open (None) so resolve_scenario can take the process's own rate
    return ArrivalSpec(rate_per_workday=rate, source=source, growth=growth)


_AGENCY = SCENARIO.child("agencies").each
assert _AGENCY is not None


def _agencies(p: _Problems, block: Any) -> dict[str, AgencySpec]:
    if not isinstance(block, Mapping):
        p.add("agencies", "expected a mapping agency id -> {staff, hours, source}")
        return {}
    out = {}
    for key_, spec in block.items():
        path = f"agencies.{key_}"
        aid = agency_id(str(key_)) or str(key_)  # the plan's Chinese name (省市场监管局) is an alias of the id
        if aid in out:
            p.add(path, f"agency {agency_name(aid)} ({aid}) is given twice (by its id and by its name)")
            continue
        if not isinstance(spec, Mapping):
            p.add(path, "expected a mapping with staff, hours, source")
            continue
        _unknown(p, spec, _AGENCY, path)
        kw: dict[str, Any] = {"id": str(aid), "name": str(spec.get("name", ""))}
        for name in ("staff", "hours"):
            if name in spec and (v := _value(p, _AGENCY.child(name), f"{path}.{name}", spec[name])) is not None:
                kw[name] = v
        if "staff" in spec or "hours" in spec:
            kw["source"] = _needs_source(p, path, spec)
        out[str(aid)] = AgencySpec(**kw)
    return out


_ATTRIBUTE = SCENARIO.child("attributes").each
assert _ATTRIBUTE is not None


def _attributes(p: _Problems, block: Any) -> dict[str, AttributeSpec]:
    if not isinstance(block, Mapping):
        p.add("attributes", "expected a mapping attribute -> {p: share true, source} or {values: {value: share}, source}")
        return {}
    out = {}
    for name, spec in block.items():
        path = f"attributes.{name}"
        if not isinstance(spec, Mapping) or not {"p", "values", "set_by"} & set(spec):
            p.add(path, "expected {p: 0..1, source: ...} or {values: {value: share, ...}, source: ...}, and/or "
                        "{set_by: {step: {value: share, ...}}, source: ...}")
            continue
        _unknown(p, spec, _ATTRIBUTE, path)
        source = _needs_source(p, path, spec)
        set_by = _set_by(p, f"{path}.set_by", spec["set_by"]) if "set_by" in spec else ()
        if "p" in spec:
            share = _value(p, _ATTRIBUTE.child("p"), f"{path}.p", spec["p"])
            out[str(name)] = AttributeSpec(str(name), p=share, source=source, set_by=set_by)
        elif "values" in spec:
            values = _value_shares(p, f"{path}.values", spec["values"])
            if values is not None:
                out[str(name)] = AttributeSpec(str(name), values=values, source=source, set_by=set_by)
        else:
            out[str(name)] = AttributeSpec(str(name), source=source, set_by=set_by)
    return out


def _value_shares(p: _Problems, path: str, values: Any) -> tuple[tuple[Any, float], ...] | None:
    """``{value: share}`` with the shares divided by their sum (None, with the problem added, when it is not one)."""
    if not isinstance(values, Mapping) or not values:
        p.add(path, "expected a mapping value -> share")
        return None
    shares = [(v, _number(p, f"{path}.{v}", s)) for v, s in values.items()]
    total = sum(s for _, s in shares if s is not None)
    if total <= 0:
        p.add(path, "shares must add up to more than 0")
        return None
    return tuple((v, (s or 0.0) / total) for v, s in shares)


def _set_by(p: _Problems, path: str, block: Any) -> tuple[tuple[str, tuple[tuple[Any, float], ...]], ...]:
    if not isinstance(block, Mapping) or not block:
        p.add(path, "expected a mapping step id -> {value: share, ...} (the value the attribute takes when that step ends)")
        return ()
    out = []
    for step, values in block.items():
        shares = _value_shares(p, f"{path}.{step}", values)
        if shares is not None:
            out.append((str(step), shares))
    return tuple(out)


_STEP = SCENARIO.child("steps").each
assert _STEP is not None


def _steps(p: _Problems, block: Any) -> dict[str, StepOverride]:
    if not isinstance(block, Mapping):
        p.add("steps", "expected a mapping step id -> {work, wait, source}")
        return {}
    out = {}
    for sid, spec in block.items():
        path = f"steps.{sid}"
        if not isinstance(spec, Mapping):
            p.add(path, "expected {work: '<distribution> h', wait: '<distribution> workday', source: ...}")
            continue
        _unknown(p, spec, _STEP, path)
        kw: dict[str, Any] = {}
        for key in _STEP.keys:
            if key.name in spec and key.name != "source":
                kw[key.name] = _value(p, key, f"{path}.{key.name}", spec[key.name])
        kw["source"] = _needs_source(p, path, spec)
        out[str(sid)] = StepOverride(**kw)
    return out


_ROUTING = SCENARIO.child("routing")
assert _ROUTING.each is not None


def _routing(p: _Problems, block: Any) -> dict[str, float]:
    if not isinstance(block, Mapping):
        p.add("routing", "expected a mapping flow id -> share, with source")
        return {}
    _needs_source(p, "routing", block)
    out = {}
    for fid, share in block.items():
        if fid in _ROUTING.names():
            continue
        if (v := _value(p, _ROUTING.each, f"routing.{fid}", share)) is not None:
            out[str(fid)] = v
    return out


def _check_text_attribute(p: "_Problems", spec: AttributeSpec, texts: set[str], where: str) -> None:
    """An attribute the conditions compare with text must take text values: YAML reads Yes/No/true unquoted
    as booleans, which would never equal the text 'Yes'."""
    path = f"attributes.{spec.name}"
    shown = ", ".join(repr(v) for v in sorted(texts))
    values = [*spec.values, *(pair for _, pairs in spec.set_by for pair in pairs)]
    if spec.p is None and values and all(isinstance(v, str) for v, _ in values):
        return
    wrong = [v for v, _ in values if not isinstance(v, str)]
    got = f"the values {', '.join(repr(v) for v in wrong)} are not text (YAML reads Yes, No, true, false and numbers unquoted " \
          "as such)" if wrong else "a share p of true gives yes/no values"
    p.add(path, f"gateway conditions compare it with text ({shown}; {where}), but {got}; write the values in quotes, "
          f"e.g. values: {{{', '.join(repr(v) + ': 0.5' for v in sorted(texts)[:2])}}}")


def resolve_scenario(process: Process, scenario: Scenario) -> Scenario:
    """Check the scenario against the process and fill the gaps; the result's notes say what was assumed.

    Unknown agency, step, flow or attribute names are errors with "did you mean".
    """
    p = _Problems()
    notes = list(scenario.notes)
    defaults = dict(process.defaults)
    agencies_used = process.agencies()
    for aid in scenario.agencies:
        if aid not in agencies_used:
            p.add(f"agencies.{aid}", f'no step of process "{process.id}" is handled by agency {agency_name(aid)} ({aid})'
                                     f'{did_you_mean(aid, agencies_used)}; '
                                     f"the agencies of this process (name and id, either works): {agency_choices(agencies_used)}")
    for sid in scenario.steps:
        node = process.nodes.get(sid)
        if node is None or node.kind not in ("task", "timer"):
            steps = [n.id for n in process.nodes.values() if n.kind in ("task", "timer")]
            p.add(f"steps.{sid}", f'no step with this id in process "{process.id}"{did_you_mean(sid, steps)}')
    for fid in scenario.routing:
        if fid not in process.flows:
            p.add(f"routing.{fid}", f'no sequence flow with this id in process "{process.id}"{did_you_mean(fid, process.flows)}')
    _check_routing_sums(p, process, scenario.routing)
    needed = process.attributes()
    steps = [n.id for n in process.nodes.values() if n.kind in ("task", "timer")]
    for name, spec in scenario.attributes.items():
        if name not in needed:
            p.add(f"attributes.{name}", f"no gateway condition reads this attribute{did_you_mean(name, needed)}")
        for sid, _ in spec.set_by:
            if sid not in steps:
                p.add(f"attributes.{name}.set_by.{sid}", f'no step with this id in process "{process.id}"{did_you_mean(sid, steps)}; '
                      "an attribute is set when a step (task or timer) ends")
    if p.items:
        raise ScenarioError(p.items, file=scenario.file)

    agencies = dict(scenario.agencies)
    unsized: list[str] = []  # agencies whose staff nobody gave: sized below, once arrivals are known
    for aid in agencies_used:
        spec = agencies.get(aid, AgencySpec(aid))
        kw: dict[str, Any] = {}
        if spec.staff is None:
            if f"agency.{aid}.staff" in defaults:
                kw["staff"] = int(defaults[f"agency.{aid}.staff"])
                kw["source"] = defaults.get("source", "process defaults")
            else:
                unsized.append(aid)
        if spec.hours is None and f"agency.{aid}.hours" in defaults:
            kw["hours"] = OpeningHours.parse(defaults[f"agency.{aid}.hours"])
        if not spec.name and f"agency.{aid}.name" in defaults:
            kw["name"] = defaults[f"agency.{aid}.name"]
        agencies[aid] = replace(spec, **kw)

    attributes = dict(scenario.attributes)
    numeric: dict[str, str] = {}
    for flow in process.flows.values():
        if flow.condition:
            for name in numeric_names(flow.condition):
                numeric.setdefault(name, f'flow "{flow.id}": {flow.condition}')
    texts: dict[str, tuple[set[str], str]] = {}  # attribute -> the texts conditions compare it with, and where
    for flow in process.flows.values():
        if flow.condition:
            for name, values in text_values(flow.condition).items():
                texts.setdefault(name, (set(), f'flow "{flow.id}": {flow.condition}'))[0].update(values)
    for name in needed:
        if name in attributes:
            if name in texts:
                _check_text_attribute(p, attributes[name], *texts[name])
            continue
        key = f"attribute.{name}"
        if key in defaults and name not in texts:
            attributes[name] = AttributeSpec(name, p=float(defaults[key]), source=defaults.get("source", "process defaults"))
        elif name in texts and {v.lower() for v in texts[name][0]} <= {"true", "false"}:
            # 'true'/'false' as text (JUEL ${approved=='true'}): a yes/no attribute written as text
            spelled = {v.lower(): v for v in sorted(texts[name][0])}
            yes, no = spelled.get("true", "true"), spelled.get("false", "false")
            attributes[name] = AttributeSpec(name, values=((yes, DEFAULTS["attribute_p"]), (no, 1 - DEFAULTS["attribute_p"])),
                                             source="assumption: documented default, no mix given")
            notes.append(Text(f"case attribute {name}: the text '{yes}' for {DEFAULTS['attribute_p']:.0%} of cases, '{no}' for "
                              "the rest assumed (no mix given)",
                              f"案件属性 {name}：假设 {DEFAULTS['attribute_p']:.0%} 的案件为“{yes}”，其余为“{no}”（未给出构成）"))
        elif name in texts:
            shown = ", ".join(repr(v) for v in sorted(texts[name][0]))
            example = ", ".join(f"'{v}': 0.5" for v in sorted(texts[name][0])[:2])
            p.add(f"attributes.{name}", f"gateway conditions compare it with text ({shown}; {texts[name][1]}), so a yes/no "
                  f"default would never match; give its values and their shares, e.g. values: {{{example}}}, with a source")
        elif name in numeric:
            p.add(f"attributes.{name}", f"gateway conditions compare it with numbers ({numeric[name]}), so a yes/no default "
                  "would be wrong; give its distribution, e.g. values: {10: 0.5, 25: 0.5}, with a source")
        else:
            attributes[name] = AttributeSpec(name, p=DEFAULTS["attribute_p"], source="assumption: documented default, no mix given")
            notes.append(Text(f"case attribute {name}: true for {DEFAULTS['attribute_p']:.0%} of cases assumed (no mix given)",
                              f"案件属性 {name}：假设 {DEFAULTS['attribute_p']:.0%} 的案件为“是”（未给出构成）"))

    if p.items:
        raise ScenarioError(p.items, file=scenario.file or process.file)
    arrivals = scenario.arrivals
    # open: neither the file nor the caller set arrivals (a programmatic ArrivalSpec with a source counts as set)
    open_rate = ("arrivals" not in scenario.explicit and not arrivals.source) or (arrivals.rate_per_workday is None and arrivals.times_h is None)
    if open_rate:
        if "arrivals.rate_per_workday" in defaults:
            source = defaults.get("source", "process defaults")
            if arrivals.growth != 1.0:
                source = f"{source}; growth: {arrivals.source}"
            arrivals = ArrivalSpec(float(defaults["arrivals.rate_per_workday"]), source=source, growth=arrivals.growth)
        else:
            notes.append(Text(f"arrivals: {DEFAULTS['rate_per_workday']:g} applications per working day assumed (documented default)",
                              f"到达量：假设每个工作日 {DEFAULTS['rate_per_workday']:g} 件申请（文档中的默认值）"))
            arrivals = ArrivalSpec(DEFAULTS["rate_per_workday"], source="assumption: documented default", growth=arrivals.growth)
    if arrivals.growth != 1.0 and arrivals.rate_per_workday is not None:
        # the engine reads only the rate: fold the surge into it once, and say so
        rate = arrivals.rate_per_workday * arrivals.growth
        notes.append(Text(f"arrivals: demand ×{arrivals.growth:g} applied, {arrivals.rate_per_workday:g} → {rate:g} per working day",
                          f"到达量：需求 ×{arrivals.growth:g}，每个工作日 {arrivals.rate_per_workday:g} → {rate:g} 件"))
        arrivals = replace(arrivals, rate_per_workday=rate, growth=1.0)
    for aid in unsized:
        staff = _default_staff(process, scenario, aid, arrivals, agencies[aid])
        agencies[aid] = replace(agencies[aid], staff=staff, source=f"assumption: {STAFF_RULE}")
        notes.append(Text(f"agency {aid}: {staff} staff assumed, {STAFF_RULE} (documented default)",
                          f"{agency_name(aid)}：假设 {staff} 名人员，{STAFF_RULE_ZH}（文档中的默认值）"))
    return replace(scenario, agencies=MappingProxyType(agencies), attributes=MappingProxyType(attributes), arrivals=arrivals, notes=tuple(notes))


def _check_routing_sums(p: _Problems, process: Process, routing: Mapping[str, float]) -> None:
    """The routing shares the scenario gives one exclusive gateway add up to at most 1, and to 1 when they cover
    all its flows (within SHARE_TOLERANCE): the engine would otherwise divide them by their sum, silently
    turning 0.9 + 0.9 into halves.
    """
    for node in process.nodes.values():
        outs = process.outgoing(node.id)
        given = [f.id for f in outs if f.id in routing]
        if node.kind != "exclusive" or not given:
            continue
        total = sum(routing[fid] for fid in given)
        if total > 1 + SHARE_TOLERANCE or (len(given) == len(outs) and abs(total - 1) > SHARE_TOLERANCE):
            p.add("routing", f'gateway "{node.id}": the shares of its flows {", ".join(given)} add up to {total:g}, '
                  f"expected {'1' if len(given) == len(outs) else 'at most 1'} (within {SHARE_TOLERANCE:g})")


STAFF_RULE = "sized so the agency is about 70% busy at the assumed demand"
STAFF_RULE_ZH = "按假设需求下部门约70%繁忙配置"


def _default_staff(process: Process, scenario: Scenario, aid: str, arrivals: ArrivalSpec, spec: AgencySpec) -> int:
    """Staff for an agency nobody staffed: demand × work per case / (70% of its open hours), at least 1.

    Work per case counts every step of the agency once (all branches), so it errs on the side of
    more staff; a default that overloads the office would make every verdict a queueing artefact.
    """
    work = 0.0
    for node in process.tasks():
        if node.facts is None or node.facts.agency != aid:
            continue
        override = scenario.steps.get(node.id)
        duration = override.work if override and override.work else node.facts.work
        if duration is not None and duration.unit == "hour":
            work += duration.mean
    rate = arrivals.rate_per_workday or 0.0
    if arrivals.times_h is not None:
        rate = 0.0  # a fixed list: no steady demand to size for
    hours = (spec.hours or scenario.office_hours).hours
    return max(1, math.ceil(rate * work / (0.7 * hours) - 1e-9))
