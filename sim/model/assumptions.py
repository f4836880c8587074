"""The assumption space of a chain: every assumed number, its central value and plausible range.

Each number a model or scenario marks as an assumption (its attribution in ``source`` says
``assumption``, wholly or in part: :func:`sim.model.attribution.is_assumed`) carries a range in the
syntax of :mod:`sim.model.ranges`. :func:`assumptions_of` lists them as :class:`Assumption` records
with stable ids; :func:`at_point` applies one point of the space (id → value) to a run through the
typed levers of :mod:`sim.model.levers` (:class:`~sim.model.levers.Scale` for a step's wait or work,
:class:`~sim.model.levers.Staff`, :class:`~sim.model.levers.Demand`) and the scenario's own routing
and attribute mixes, so robust verdicts (:mod:`sim.analysis.robustness`) sample the space without
a second way of changing a model.

Ids: ``<step>.wait``, ``<step>.work`` (the mean of the step's distribution, shape kept),
``<flow>.share``, ``agency.<id>.staff``, ``arrivals.rate_per_workday``, ``attribute.<name>.p``.

The three rules (:func:`check_process`, :func:`check_scenario` and :func:`assumptions_of` enforce them):

1. a range contains the value the model uses;
2. a range on a sourced number (not an assumption) names its own ``source:``;
3. an assumed number has a range.

Example:
    >>> from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
    >>> from sim.model.scenario import Scenario
    >>> t = Node("t", "task", "审核", facts=TaskFacts(agency="registrar", wait=parse_duration("uniform(0.1, 0.4) workday"),
    ...          source="wait: assumption: queue", extra={"range.wait": "0.05-1 workday | no per-step figure"}))
    >>> p = Process.build("p", "p", [Node("s", "start"), t, Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")],
    ...                   defaults={"arrivals.rate_per_workday": "40", "source": "arrivals: seed"})
    >>> [(a.id, a.central, a.lo, a.hi) for a in assumptions_of(p)]
    [('t.wait', 0.25, 0.05, 1.0)]
    >>> q, _ = at_point(p, Scenario(), {"t.wait": 0.5})
    >>> q.nodes["t"].facts.wait
    Duration(dist=uniform(0.2, 0.8), unit='workday')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, ScenarioError, did_you_mean
from .attribution import attributions, is_assumed
from .edit_params import ID_FORMS, inspection_flows, point_changes
from .levers import Demand, Lever, Scale, Staff, apply_levers
from .process import Duration, Process
from .ranges import RANGE_PREFIX, parse_range

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["Assumption", "assumptions_of", "at_point", "check_process", "check_scenario_numbers", "unranged", "with_ranges",
           "DEFAULT_RANGES"]

_UNIT = {"hour": "h", "workday": "workday", "day": "day"}
_UNIT_LABEL = {
    "zh": {"workday": "工作日", "h": "小时", "day": "日历天", "staff": "人", "per_workday": "件/工作日", "share": "比例",
           "factor": "倍"},
    "en": {"workday": "working days", "h": "hours", "day": "calendar days", "staff": "staff", "per_workday": "per working day",
           "share": "share", "factor": "×"},
}
_WHAT_LABEL = {
    "zh": {"wait": "{n}等待", "work": "{n}办理工时", "share": "{n}分支比例", "staff": "{n}人员", "rate": "申请量",
           "attribute": "{n}案件比例", "edit": "{n}（措施参数）"},
    "en": {"wait": "{n} wait", "work": "{n} work", "share": "{n} branch share", "staff": "{n} staff",
           "rate": "applications", "attribute": "{n} share of cases", "edit": "{n} (a lever's setting)"},
}
# Ranges of the documented defaults (sim.model.scenario.DEFAULTS), used when a run relies on them.
# assumption: a documented default stands for "nobody said"; half to double it is the span we would
# not be surprised by without a figure (the staff span is the load from about 100% to 50% busy).
DEFAULT_RANGES = {
    "arrivals.rate_per_workday": "documented default (no volume given): half to double it",
    "staff": "documented default sized for about 70% busy: from about 100% busy to 50% busy",
    "attribute": "documented default (no mix given): halfway towards 0 and towards 1",
}


@dataclass(frozen=True)
class Assumption:
    """One assumed number: where it is written, the value the model uses, and its plausible range.

    >>> a = Assumption("t_register.wait", "company_setup_2021", "x.bpmn", "t_register: property range.wait", 0.25, 0.05, 1.0,
    ...                "workday", "no published Hainan per-step figure", name="注册官审核", name_en="registrar review")
    >>> a.label(), a.label("en")
    ('注册官审核等待（工作日）', 'registrar review wait (working days)')
    """

    id: str
    chain: str
    file: str
    path: str
    central: float
    lo: float
    hi: float
    unit: str
    reason: str
    integer: bool = False
    name: str = ""  # the element's name (zh), for labels
    name_en: str = ""
    source: str = ""  # the range's own source (a sourced number's published uncertainty)
    what: str = ""  # wait | work | share | staff | rate | attribute
    element: str = ""  # step, flow, agency or attribute id the number belongs to
    origin: str = "process"  # process | scenario | default: who gives the central value

    def label(self, lang: str = "zh") -> str:
        """What the number is, in Chinese (default) or English, with its unit."""
        if lang not in ("zh", "en"):
            raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
        what = self.what or self.id.rsplit(".", 1)[-1]
        name = (self.name if lang == "zh" else self.name_en) or self.name or self.element
        text = _WHAT_LABEL[lang].get(what, "{n} " + what).format(n=name)
        unit = _UNIT_LABEL[lang].get(self.unit, self.unit)
        return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready row (``list --assumptions --json``)."""
        return {"id": self.id, "chain": self.chain, "file": self.file, "path": self.path, "central": self.central,
                "lo": self.lo, "hi": self.hi, "unit": self.unit, "reason": self.reason, "integer": self.integer,
                "source": self.source, "origin": self.origin, "label_zh": self.label("zh"), "label_en": self.label("en")}


@dataclass(frozen=True)
class _Number:
    """A number of the model that may be assumed, before its range is checked."""

    id: str
    what: str
    element: str
    central: float
    unit: str
    attribution: str  # the source text that attributes the number
    field: str  # the attribution's field name in that text
    range_text: str
    path: str
    origin: str = "process"
    name: str = ""
    name_en: str = ""
    integer: bool = False
    tag: str = ""
    line: int | None = None
    optional: bool = False  # an edit's setting (sim.model.edit_params): a range is welcome, not required (rule 3)

    @property
    def assumed(self) -> bool:
        return is_assumed(self.attribution, self.field)


def _process_numbers(process: Process) -> list[_Number]:
    """Every number of ``process`` a range can be written on, in file order."""
    out: list[_Number] = []
    for node in process.nodes.values():
        facts = node.facts
        source = facts.source if facts else ""
        extra = facts.extra if facts else {}
        name_en = facts.name_en if facts else ""
        common = {"element": node.id, "name": node.name, "name_en": name_en, "line": node.line, "tag": node.tag or node.kind}
        if node.kind == "timer" and node.timer is not None:
            field = "timer" if "timer" in attributions(source) else "wait"
            out.append(_Number(f"{node.id}.wait", "wait", central=node.timer.mean, unit=_UNIT[node.timer.unit],
                               attribution=source or "assumption: no source", field=field,
                               range_text=extra.get(f"{RANGE_PREFIX}wait", ""), path=f"{node.id}: property {RANGE_PREFIX}wait",
                               **common))
        elif node.kind == "task" and facts is not None:
            for part in ("work", "wait"):
                d: Duration | None = getattr(facts, part)
                if d is not None:
                    out.append(_Number(f"{node.id}.{part}", part, central=d.mean, unit=_UNIT[d.unit], attribution=source,
                                       field=part, range_text=extra.get(f"{RANGE_PREFIX}{part}", ""),
                                       path=f"{node.id}: property {RANGE_PREFIX}{part}", **common))
    for flow in process.flows.values():
        if flow.share is not None:
            out.append(_Number(f"{flow.id}.share", "share", flow.id, flow.share, "share", flow.share_source, "share",
                               flow.share_range, f"{flow.id}: property {RANGE_PREFIX}share", name=flow.name or flow.id,
                               name_en=flow.name or flow.id, tag="sequenceFlow", line=flow.line))
    defaults = process.defaults
    source = defaults.get("source", "")
    used = set(process.agencies())  # staff of an agency no step uses does not enter a run
    for key, value in defaults.items():
        if key.startswith(RANGE_PREFIX) or key == "source":
            continue
        path = f"{process.id}: property {RANGE_PREFIX}{key}"
        rng = defaults.get(RANGE_PREFIX + key, "")
        if key.startswith("agency.") and key.endswith(".staff"):
            aid = key[len("agency."):-len(".staff")]
            if aid not in used:
                continue
            out.append(_Number(key, "staff", aid, float(value), "staff", source, "staff", rng, path,
                               name=defaults.get(f"agency.{aid}.name", aid), name_en=aid, integer=True, tag="process"))
        elif key == "arrivals.rate_per_workday":
            out.append(_Number(key, "rate", "arrivals", float(value), "per_workday", source, "arrivals", rng, path, tag="process"))
        elif key.startswith("attribute."):
            name = key[len("attribute."):]
            out.append(_Number(f"{key}.p", "attribute", name, float(value), "share", source, key,
                               defaults.get(f"{RANGE_PREFIX}{key}", ""), path, name=name, name_en=name, tag="process"))
    return out


def _checked(process_id: str, file: str, number: _Number, text: str, *, strict: bool, fail: Any) -> Assumption | None:
    """The number as an :class:`Assumption` if it has a range; the rules of the module docstring, ``fail(number, message)`` on a breach."""
    if not text.strip():
        if number.assumed and strict and not number.optional:
            fail(number, f"{number.what} {number.central:g} {number.unit} is an assumption ({_short(number)}) but has no range; "
                         f'expected property {RANGE_PREFIX}{_prop(number)} like "lo-hi {number.unit} | why" (sim.model.ranges)')
        return None
    try:
        rng = parse_range(text)
    except ValueError as exc:
        fail(number, f"{RANGE_PREFIX}{_prop(number)}: {exc}")
        return None
    if rng.unit and rng.unit != number.unit:
        fail(number, f'{RANGE_PREFIX}{_prop(number)}: the range is in {rng.unit} but the number is in {number.unit}; '
                     f"expected the number's own unit")
        return None
    if not rng.contains(number.central):
        fail(number, f"{RANGE_PREFIX}{_prop(number)}: the range {rng.lo:g}-{rng.hi:g} {number.unit} does not contain the value "
                     f"the model uses ({number.central:g}); expected lo <= {number.central:g} <= hi")
        return None
    if not number.assumed and not rng.source:
        fail(number, f"{RANGE_PREFIX}{_prop(number)}: {number.what} is a sourced number ({_short(number)}), so its range is a "
                     'published uncertainty and needs its own source; expected "... | reason | source: <where>"')
        return None
    if number.integer and (rng.lo != int(rng.lo) or rng.hi != int(rng.hi) or rng.lo < 1):
        fail(number, f"{RANGE_PREFIX}{_prop(number)}: staff ranges are whole numbers >= 1, got {rng.lo:g}-{rng.hi:g}")
        return None
    return Assumption(number.id, process_id, file, number.path, number.central, rng.lo, rng.hi, number.unit, rng.reason,
                      integer=number.integer, name=number.name, name_en=number.name_en, source=rng.source, what=number.what,
                      element=number.element, origin=number.origin)


def _prop(number: _Number) -> str:
    return number.id if number.tag == "process" and number.what != "attribute" else (
        number.id[: -len(".p")] if number.what == "attribute" else number.id.rsplit(".", 1)[-1])


def _short(number: _Number) -> str:
    attrs = attributions(number.attribution)
    text = attrs.get(number.field) or attrs.get("", "")
    return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'


def check_process(process: Process, *, strict: bool = True) -> list[Assumption]:
    """The process's ranged numbers as :class:`Assumption` records; :class:`~sim.errors.ModelError` on a breach of the rules.

    ``strict=False`` leaves out rule 3 (an assumed number with no range): the loader uses it for files
    that write no range at all, which still run at their point values but cannot be judged over a range.
    """
    file = process.file or "<process>"

    def fail(number: _Number, message: str) -> None:
        raise ModelError(message, file=process.file, element_id=number.element if number.tag != "process" else process.id,
                         tag=number.tag or None, line=number.line)

    found = [_checked(process.id, file, n, n.range_text, strict=strict, fail=fail) for n in _process_numbers(process)]
    _check_range_keys(process)
    return [a for a in found if a is not None]


def unranged(process: Process) -> list[tuple[str, str, float, str]]:
    """``(id, what, central, unit)`` of every assumed number of ``process`` that has no range yet (rule 3 refuses them).

    >>> from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
    >>> t = Node("t", "task", facts=TaskFacts(agency="a", work=parse_duration("2 h"), source="work: assumption: guess"))
    >>> unranged(Process.build("p", "p", [Node("s", "start"), t, Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")]))
    [('t.work', 'work', 2.0, 'h')]
    """
    return [(n.id, n.what, n.central, n.unit) for n in _process_numbers(process) if n.assumed and not n.range_text.strip()]


def with_ranges(process: Process, ranges: Mapping[str, str]) -> Process:
    """``process`` with each range (assumption id -> written range) put where the writer writes it (no check here:
    :func:`check_process` or the loader checks).

    >>> from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
    >>> t = Node("t", "task", facts=TaskFacts(agency="a", work=parse_duration("2 h"), source="work: assumption: guess"))
    >>> p = Process.build("p", "p", [Node("s", "start"), t, Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> dict(with_ranges(p, {"t.work": "1-4 h | guess"}).nodes["t"].facts.extra)
    {'range.work': '1-4 h | guess'}
    """
    from .process import TaskFacts

    numbers = {n.id: n for n in _process_numbers(process)}
    nodes, flows, defaults = dict(process.nodes), dict(process.flows), dict(process.defaults)
    for rid, text in ranges.items():
        n = numbers.get(rid)
        if n is None:
            raise ValueError(f'no number "{rid}" in process "{process.id}"{did_you_mean(rid, numbers)}')
        if n.tag == "process":
            defaults[RANGE_PREFIX + _prop(n)] = text
        elif n.what == "share":
            flows[n.element] = replace(flows[n.element], share_range=text)
        else:
            node = nodes[n.element]
            facts = node.facts or TaskFacts()
            nodes[n.element] = replace(node, facts=replace(facts, extra=MappingProxyType({**facts.extra, RANGE_PREFIX + n.what: text})))
    return process.with_changes(nodes=nodes.values(), flows=flows.values(), defaults=MappingProxyType(defaults))


def _check_range_keys(process: Process) -> None:
    """A ``range.<x>`` property must range a number the element has (a typo would silently range nothing)."""
    numbers = {(n.element if n.tag != "process" else process.id, _prop(n)) for n in _process_numbers(process)}
    for key in process.defaults:
        if key.startswith(RANGE_PREFIX) and (process.id, key[len(RANGE_PREFIX):]) not in numbers:
            known = [p for e, p in numbers if e == process.id]
            raise ModelError(f'property {key} ranges no number of the process{did_you_mean(key[len(RANGE_PREFIX):], known)}; '
                             "expected range.agency.<id>.staff, range.arrivals.rate_per_workday or range.attribute.<name> "
                             "next to the number", file=process.file, element_id=process.id, tag="process")
    for node in process.nodes.values():
        for key in (node.facts.extra if node.facts else {}):
            if key.startswith(RANGE_PREFIX) and (node.id, key[len(RANGE_PREFIX):]) not in numbers:
                raise ModelError(f"property {key} ranges no number of this step; expected range.wait or range.work on a step "
                                 "that has that duration", file=process.file, element_id=node.id, tag=node.tag or node.kind,
                                 line=node.line)


def _scenario_own(scenario: Scenario, process: Process | None = None) -> list[_Number]:
    """The numbers ``scenario`` sets itself (step durations, routing, staff, arrivals, attribute mixes), with YAML paths."""
    def names(element: str) -> dict[str, str]:
        node = process.nodes.get(element) if process is not None else None
        return {"name": node.name, "name_en": node.facts.name_en if node.facts else ""} if node is not None else {}

    out: list[_Number] = []
    for sid, override in scenario.steps.items():
        for part in ("work", "wait"):
            d = getattr(override, part)
            if d is not None:
                out.append(_Number(f"{sid}.{part}", part, sid, d.mean, _UNIT[d.unit], override.source, part,
                                   scenario.ranges.get(f"{sid}.{part}", ""), f"steps.{sid}.{part}", "scenario", **names(sid)))
    for fid, share in scenario.routing.items():
        out.append(_Number(f"{fid}.share", "share", fid, share, "share", scenario.routing_source, "share",
                           scenario.ranges.get(f"{fid}.share", ""), f"routing.{fid}", "scenario", fid, fid))
    for aid, spec in scenario.agencies.items():
        if spec.staff is not None:
            key = f"agency.{aid}.staff"
            out.append(_Number(key, "staff", aid, float(spec.staff), "staff", spec.source, "staff", scenario.ranges.get(key, ""),
                               f"agencies.{aid}.staff", "scenario", spec.name or aid, aid, integer=True))
    arrivals = scenario.arrivals
    if arrivals.rate_per_workday is not None and ("arrivals" in scenario.explicit or arrivals.source):
        key = "arrivals.rate_per_workday"
        out.append(_Number(key, "rate", "arrivals", arrivals.rate_per_workday * arrivals.growth, "per_workday", arrivals.source,
                           "arrivals", scenario.ranges.get(key, ""), key, "scenario"))
    for name, spec in scenario.attributes.items():
        if spec.p is not None:
            key = f"attribute.{name}.p"
            out.append(_Number(key, "attribute", name, spec.p, "share", spec.source, "", scenario.ranges.get(key, ""),
                               f"attributes.{name}.p", "scenario", name, name))
    from .edit_params import edit_params

    for e in edit_params(scenario):  # a what-if setting: ranged only where the planner says it is uncertain
        step = names(e.step)
        zh, en = ((f"{step.get('name') or e.step}：{e.verb}.{e.param}", f"{step.get('name_en') or e.step}: {e.verb}.{e.param}")
                  if e.step else (e.id, e.id))
        out.append(_Number(e.id, "edit", e.step or "arrivals", e.central, e.unit, e.source, e.param,
                           scenario.ranges.get(e.id, ""), e.path, "scenario", zh, en, optional=True))
    return out


def _scaled_range(text: str, g: float, why: str) -> str:
    """``text`` (a written range) with both bounds ×``g``, saying why; left as written if it does not parse."""
    try:
        r = parse_range(text)
    except ValueError:
        return text  # _checked reports it
    return str(replace(r, lo=r.lo * g, hi=r.hi * g, reason=f"{r.reason} (×{g:.3g}: {why})"))


def _moved(base: _Number, value: float) -> _Number:
    """The process's number moved by a what-if lever: a demand growth multiplies an uncertain arrival rate, a
    ``Staff`` lever adds to an uncertain staff level, so the range moves with it (×g, +n)."""
    if base.what == "rate":
        return replace(base, central=value, range_text=_scaled_range(base.range_text, value / base.central,
                                                                     "the scenario's demand growth"))
    text = base.range_text
    try:
        r = parse_range(text)
        n = value - base.central
        text = str(replace(r, lo=max(1.0, r.lo + n), hi=max(1.0, r.hi + n), reason=f"{r.reason} ({n:+g}: the scenario's staff lever)"))
    except ValueError:
        pass  # left as written: _checked reports it
    return replace(base, central=value, range_text=text)


def _run_of(process: Process, scenario: Scenario) -> tuple[Process, Scenario]:
    """The process and scenario a run uses: the scenario's ``edits:`` applied first, as :func:`sim.engine.runner.prepare_run`
    does (an edit may add numbers, e.g. a 告知承诺 inspection share)."""
    if not scenario.edits:
        return process, scenario
    from .edits import apply_scenario_edits

    before = {n.id: n for n in _process_numbers(process)}
    process, scenario = apply_scenario_edits(process, scenario)
    # An edit that changes a ranged number (告知承诺 shortens a review, Scale, 容缺受理) carries the range as written;
    # the uncertainty is the base's, so the range moves with the edit (×new/old, +n for staff).
    moved = {}
    for n in _process_numbers(process):
        old = before.get(n.id)
        if old is not None and old.range_text and n.range_text == old.range_text and not math.isclose(n.central, old.central):
            if n.what == "staff":
                moved[n.id] = _moved(old, n.central).range_text
            elif old.central > 0:
                moved[n.id] = _scaled_range(old.range_text, n.central / old.central, "the scenario's edit")
    return with_ranges(process, moved), replace(scenario, edits=(), edit_files=())


def _scenario_numbers(process: Process, scenario: Scenario, given: Scenario | None = None) -> dict[str, _Number]:
    """The numbers a run of ``process`` under ``scenario`` uses, keyed by id: the scenario's own replace the process's,
    its ``ranges:`` replace the process's ranges, and documented defaults the run relies on get :data:`DEFAULT_RANGES`.
    An already resolved scenario (:func:`~sim.model.scenario.resolve_scenario`) gives the same answer: the numbers it
    copied from the process's defaults stay the process's, those it filled from the documented defaults stay defaults.
    ``given``: the scenario with its ``edits:`` (``scenario`` has them applied), whose settings may be ranged."""
    from .scenario import STAFF_RULE, resolve_scenario

    numbers = {n.id: n for n in _process_numbers(process)}
    for nid, text in scenario.ranges.items():
        if nid in numbers:
            numbers[nid] = replace(numbers[nid], range_text=text, path=f"ranges.{nid}", origin="scenario")
    filled = {f"assumption: {STAFF_RULE}", "assumption: documented default", "assumption: documented default, no mix given"}
    # an edit's settings are read off the scenario as written (``scenario`` has its edits applied and a demand edit
    # folded into its growth)
    own = ([n for n in _scenario_own(scenario, process) if n.what != "edit"]
           + [n for n in _scenario_own(given or scenario, process) if n.what == "edit"])
    for n in own:
        base = numbers.get(n.id)
        if not n.range_text and base is not None and base.origin == "process" and n.attribution.startswith(base.attribution):
            if not math.isclose(n.central, base.central) and (n.what == "staff" or (n.what == "rate" and base.central > 0)):
                numbers[n.id] = _moved(base, n.central)  # resolved with a growth folded into the rate, or a Staff lever
            elif not math.isclose(n.central, base.central):
                numbers[n.id] = n
            continue  # copied from the process's defaults by resolve_scenario: the process's number and range
        if not n.range_text and n.attribution in filled:
            continue  # a documented default resolve_scenario filled in: ranged as a default below
        numbers[n.id] = n
    resolved = resolve_scenario(process, scenario)
    for aid, spec in resolved.agencies.items():
        key = f"agency.{aid}.staff"
        if key not in numbers and spec.staff is not None:
            n = spec.staff
            numbers[key] = _Number(key, "staff", aid, float(n), "staff", spec.source, "staff",
                                   scenario.ranges.get(key) or
                                   f"{max(1, math.floor(0.7 * n))}-{max(2, math.ceil(1.4 * n))} staff | {DEFAULT_RANGES['staff']}",
                                   f"agencies.{aid}.staff", "default", spec.name or aid, aid, integer=True)
    key = "arrivals.rate_per_workday"
    rate = resolved.arrivals.rate_per_workday
    if rate is not None and resolved.arrivals.times_h is None:
        if key in numbers and numbers[key].origin == "process" and numbers[key].central > 0 and rate != numbers[key].central:
            numbers[key] = _moved(numbers[key], rate)
        elif key in numbers:
            numbers[key] = replace(numbers[key], central=rate)
        else:
            numbers[key] = _Number(key, "rate", "arrivals", rate, "per_workday", "assumption: documented default", "arrivals",
                                   scenario.ranges.get(key) or f"{rate / 2:g}-{rate * 2:g} per_workday | {DEFAULT_RANGES[key]}",
                                   key, "default")
    for name, spec in resolved.attributes.items():
        key = f"attribute.{name}.p"
        if key not in numbers and spec.p is not None and spec.source in filled:
            numbers[key] = _Number(key, "attribute", name, spec.p, "share", spec.source, "", scenario.ranges.get(key) or
                                   f"{spec.p / 2:g}-{(1 + spec.p) / 2:g} share | {DEFAULT_RANGES['attribute']}",
                                   f"attributes.{name}.p", "default", name, name)
    return numbers


def assumptions_of(process: Process, scenario: Scenario | None = None) -> list[Assumption]:
    """Every assumed (or ranged) number of a run of ``process`` under ``scenario``, sorted by id.

    The scenario's numbers replace the process's (its ``ranges:`` override or add ranges by id), and a
    documented default the run relies on carries :data:`DEFAULT_RANGES`. Pass the process as loaded and the
    scenario with its ``edits:`` (not :func:`~sim.engine.runner.prepare_run`'s output): the edits are applied
    here, and a range an edit moves is moved with it, which an already edited process cannot show. Every rule of the module
    docstring is enforced: a breach in the process is a :class:`~sim.errors.ModelError`, in the scenario a
    :class:`~sim.errors.ScenarioError` with the YAML path.
    """
    if scenario is None:
        return sorted(check_process(process), key=lambda a: a.id)
    given = scenario
    process, scenario = _run_of(process, scenario)
    numbers = _scenario_numbers(process, scenario, given)
    problems = [(f"ranges.{rid}", f'no number with this id in process "{process.id}"{did_you_mean(rid, numbers)}; expected '
                 "<step>.wait, <step>.work, <flow>.share, agency.<id>.staff, arrivals.rate_per_workday, attribute.<name>.p "
                 f"or an edit's setting ({', '.join(ID_FORMS)}; sim.model.edit_params)")
                for rid in scenario.ranges if rid not in numbers]
    problems += _edit_problems(process, scenario, numbers)
    if problems:
        raise ScenarioError(problems, file=scenario.file)

    def fail(n: _Number, message: str) -> None:
        if n.origin == "process":
            raise ModelError(message, file=process.file, element_id=n.element if n.tag != "process" else process.id,
                             tag=n.tag or None, line=n.line)
        raise ScenarioError([_yaml_problem(n, message)], file=scenario.file)

    found = [_checked(process.id, scenario.file or "<scenario>" if n.origin == "scenario" else process.file or "<process>",
                      n, n.range_text, strict=True, fail=fail) for _, n in sorted(numbers.items())]
    return [a for a in found if a is not None]


def _yaml_problem(n: _Number, message: str) -> tuple[str, str]:
    """A breach on a scenario number as (YAML path, what): the range's path if it has one, else the number's."""
    where = f"ranges.{n.id}" if n.range_text else n.path
    return where, message.replace(f"property {RANGE_PREFIX}{_prop(n)}", f"ranges.{n.id}").replace(f"{RANGE_PREFIX}{_prop(n)}: ", "")


def check_scenario_numbers(scenario: Scenario, *, strict: bool = True) -> list[tuple[str, str]]:
    """Problems (YAML path, what) of the scenario's own numbers against its ``ranges:``, without a process.

    A number the scenario sets and marks as an assumption needs ``ranges.<id>``; a range on a number the
    scenario sets must contain it, and name its own source when the number is sourced. Ranges on the
    process's numbers are checked when the scenario meets the process (:func:`assumptions_of`).
    ``strict=False`` leaves out rule 3 (the parser's choice for a file that writes no ``ranges:``).
    """
    problems: list[tuple[str, str]] = []
    for n in _scenario_own(scenario):
        _checked("", scenario.file or "<scenario>", n, n.range_text, strict=strict,
                 fail=lambda n, message: problems.append(_yaml_problem(n, message)))
    return problems


def at_point(process: Process, scenario: Scenario, values: Mapping[str, float]) -> tuple[Process, Scenario]:
    """``(process, scenario)`` with each named assumption at its value (in the assumption's unit); the rest stay central.

    A wait or work becomes a :class:`~sim.model.levers.Scale` of the step (its mean becomes the value, its
    shape is kept), a staff level a :class:`~sim.model.levers.Staff` lever to that many (rounded to a whole
    number), the arrival rate a :class:`~sim.model.levers.Demand` lever, a branch share the scenario's
    routing (the gateway's other flows share the rest in their current proportions), an attribute mix its
    ``p``. The scenario's ``edits:`` are applied first and consumed (the result carries none), as
    :func:`sim.engine.runner.prepare_run` would apply them. Staff sized by the documented default is held at its central value, so a demand point does not
    re-size the office. Unknown ids are a :class:`~sim.errors.ScenarioError` with "did you mean".
    """
    known = {a.id: a for a in assumptions_of(process, scenario)}  # with the settings of its edits (sim.model.edit_params)
    given = scenario
    process, scenario = _run_of(process, scenario)  # the point is a point of the run: edits first, as prepare_run does
    problems = []
    for vid, value in values.items():
        if vid not in known:
            problems.append((vid, f'no assumption with this id in process "{process.id}"{did_you_mean(vid, known)}; '
                             "see `reformsim list --assumptions`"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append((vid, f"expected a finite number in {known[vid].unit}, got {value!r}"))
        elif (reason := _refused(known[vid], float(value))):
            problems.append((vid, reason))
    if problems:
        raise ScenarioError(problems, file=scenario.file)
    process_levers: list[Lever] = []
    staff_levers: list[Lever] = []
    demand: list[Lever] = []
    steps = dict(scenario.steps)
    routing = dict(scenario.routing)
    attributes = dict(scenario.attributes)
    for a in known.values():
        if a.what == "staff" and (a.id in values or a.origin == "default"):
            target = round(values.get(a.id, a.central))
            if target != a.central:
                staff_levers.append(Staff(agency=a.element, add=int(target - a.central), source=f"assumption point {a.id}"))
            elif a.origin == "default":
                staff_levers.append(Staff(agency=a.element, add=0, source=f"assumption point {a.id} (held central)"))

    def scale(step: str, part: str, factor: float, why: str) -> None:
        """The step's part ×factor: its scenario override if it has one for that part, else the process's."""
        override = steps.get(step)
        if override is not None and getattr(override, part) is not None:
            d: Duration = getattr(override, part)
            steps[step] = replace(override, **{part: Duration(d.dist.scaled(factor), d.unit)})
        else:
            process_levers.append(Scale(step, factor, part, source=why))

    for vid, value in sorted(values.items()):
        a, v = known[vid], float(value)
        if a.what in ("wait", "work"):
            scale(a.element, a.what, v / a.central, f"assumption point {vid}={v:g}")
        elif a.what == "edit":
            _edit_at(process, scenario, given, a, v, values, known, scale, demand, routing)
        elif a.what == "rate":
            demand.append(Demand(v / a.central, source=f"assumption point {vid}={v:g}"))
        elif a.what == "share":
            routing.update(_shares(process, scenario, a.element, v))
        elif a.what == "attribute":
            spec = attributes.get(a.element)
            from .scenario import AttributeSpec

            attributes[a.element] = replace(spec, p=v) if spec is not None else AttributeSpec(
                a.element, p=v, source=f"assumption point {vid}={v:g}")
    scenario = replace(scenario, steps=MappingProxyType(steps), routing=MappingProxyType(routing),
                       attributes=MappingProxyType(attributes))
    return apply_levers(process, scenario, [*process_levers, *staff_levers, *demand])


def _edit_at(process: Process, scenario: Scenario, given: Scenario, a: Assumption, v: float, values: Mapping[str, float],
             known: Mapping[str, Assumption], scale: Any, demand: list[Lever], routing: dict[str, float]) -> None:
    """An edit's setting at ``v`` (:func:`sim.model.edit_params.point_changes`) on the edited ``process``; ``given``: the
    scenario with its edits, which the setting is read from."""
    from .durations import convert
    from .edit_params import edit_params

    e = next(x for x in edit_params(given) if x.id == a.id)
    why = f"assumption point {a.id}={v:g}"
    wait = None
    if e.param == "saved":
        node = process.nodes[e.step]
        d = scenario.steps[e.step].wait if e.step in scenario.steps and scenario.steps[e.step].wait else node.facts.wait
        mean = float(values.get(f"{e.step}.wait", known[f"{e.step}.wait"].central if f"{e.step}.wait" in known else d.mean))
        wait = convert(mean, d.unit, {"h": "hour"}.get(e.unit, e.unit))
    try:
        kind, change = point_changes(e, v, wait)
    except ValueError as exc:
        raise ScenarioError([(f"ranges.{a.id}", str(exc))], file=scenario.file) from None
    if kind == "demand":
        demand.append(Demand(change, source=why))
    elif kind == "share":
        routing.update(_shares(process, scenario, inspection_flows(process, e.step)[0], change))
    else:
        part, factor = change
        node = process.nodes[e.step]
        for p in ("work", "wait") if part == "both" else (part,):
            has = (node.timer is not None) if node.kind == "timer" and p == "wait" else (
                node.facts is not None and getattr(node.facts, p) is not None)
            override = scenario.steps.get(e.step)
            if has or (override is not None and getattr(override, p) is not None):
                scale(e.step, p, factor, why)


def _edit_problems(process: Process, scenario: Scenario, numbers: dict[str, _Number]) -> list[tuple[str, str]]:
    """A ranged inspection share stands for the two branch shares its commitment created: they leave the box (ranging
    them too is the same number twice); a share of 0 or 1 creates no branch to range."""
    problems = []
    for n in list(numbers.values()):
        if n.what != "edit" or not n.range_text.strip() or not n.id.endswith(".commitment.inspection_share"):
            continue
        flows = inspection_flows(process, n.element)
        if len(flows) < 2:
            problems.append((f"ranges.{n.id}", f"inspection_share {n.central:g} creates no inspection branch; a range needs "
                                               "a share between 0 and 1 (exclusive) in the edit"))
            continue
        for fid in flows:
            twice = numbers.pop(f"{fid}.share", None)
            if twice is not None and twice.range_text.strip() and f"{fid}.share" in scenario.ranges:
                problems.append((f"ranges.{fid}.share", f"the branch share {fid} is the inspection share that ranges.{n.id} "
                                                        "already ranges; expected one of the two"))
    return problems


def _refused(a: Assumption, v: float) -> str:
    """Why ``v`` cannot be applied to ``a`` ("" if it can)."""
    if a.what == "edit" and v <= 0 and a.unit != "share" and not a.id.endswith(".saved"):
        return f"expected a factor > 0, got {v:g}"
    if a.what == "edit" and v < 0:
        return f"expected a value >= 0 {a.unit}, got {v:g}"
    if a.what in ("wait", "work", "rate") and v <= 0:
        return f"expected a value > 0 {a.unit}, got {v:g}"
    if a.what in ("wait", "work", "rate") and a.central <= 0:
        return f"the model's value is {a.central:g}; a duration or rate of 0 cannot be scaled to {v:g}"
    if a.unit == "share" and not 0 <= v <= 1:
        return f"expected a share between 0 and 1, got {v:g}"
    if a.integer and round(v) < 1:
        return f"expected at least 1 {a.unit}, got {v:g}"
    return ""


def _shares(process: Process, scenario: Scenario, flow_id: str, value: float) -> dict[str, float]:
    """Routing for the gateway of ``flow_id``: that flow at ``value``, its siblings sharing ``1 - value`` as they share now."""
    gateway = process.flows[flow_id].source
    siblings = [f for f in process.outgoing(gateway) if f.id != flow_id]
    now = {f.id: scenario.routing.get(f.id, f.share if f.share is not None else 0.0) for f in siblings}
    rest = sum(now.values())
    out = {flow_id: value}
    for fid, share in now.items():
        out[fid] = (1 - value) * (share / rest if rest > 0 else 1 / len(now))
    return out
