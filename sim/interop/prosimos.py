"""Prosimos models in: a plain BPMN file plus its JSON simulation scenario → Process + scenario mapping.

`Prosimos <https://github.com/AutomatedProcessImprovement/Prosimos>`_ keeps the process in BPMN
and the simulation parameters in JSON (Prosimos 2.x / pix-framework conventions, times in
seconds). This module builds the ReformSim graph from the BPMN itself (tasks, start/end and
intermediate events, exclusive/parallel/inclusive gateways, sequence flows) and translates the
JSON into the mapping :func:`sim.model.scenario.parse_scenario` accepts:

=============================  ==============================================================
Prosimos                       ReformSim
=============================  ==============================================================
arrival_time_distribution      ``arrivals.rate_per_workday`` (Poisson; only the mean is kept)
arrival_time_calendar          ``office_hours``
resource_profiles + calendars  ``agencies`` (one per distinct set of resources able to do a
                               task): ``staff`` = sum of amounts, ``hours`` = their calendar
task_resource_distribution     ``steps.<task>.work`` in hours, and ``TaskFacts.work``
gateway_branching_probs.       ``Flow.share``
event_distribution             timer nodes (intermediate events with a duration)
branch_rules, case_attributes  flow conditions and ``attributes`` (:mod:`.prosimos_rules`)
event_attributes               ``attributes.<name>.set_by.<task>`` (set when the task ends)
=============================  ==============================================================

Distribution parameters (pix-framework ``DurationDistribution.from_dict``): ``fix [value]``,
``uniform [min, max]``, ``norm [mean, std, min, max]``, ``expon [mean, min, max]`` (sampled as
``min + Exp(mean - min)``), ``lognorm`` and ``gamma [mean, variance, min, max]``; samples
outside ``[min, max]`` (and negative ones) are redrawn, i.e. the distribution is truncated.
ReformSim's distributions have no truncation, so the mapping matches the mean and standard
deviation of what Prosimos actually samples (the truncated distribution) in the same family,
and says so in ``Process.notes`` when truncation moves the mean by more than 5 %.

Everything the mapping assumes or loses is said in ``Process.notes``; every number's
``source`` says ``prosimos: <file>``.

Example:
    >>> from pathlib import Path
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "interop"   # Prosimos-format models of our own
    >>> process, scenario = import_prosimos(data / "parallel.bpmn", data / "parallel.json")
    >>> len(process.tasks()), sorted(scenario)[:2]
    (5, ['agencies', 'arrivals'])
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scipy import stats

from ..bpmn.di import read_document
from ..errors import ModelError, ScenarioError
from ..inputs import PROSIMOS_JSON, read_json
from ..model.calendar import OpeningHours
from ..model.distributions import (
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncatedExponential,
    Uniform,
)
from ..model.process import Duration, Flow, Node, Process, TaskFacts

__all__ = ["import_prosimos", "load_prosimos", "process_and_scenario", "map_distribution", "PROSIMOS_DISTRIBUTIONS"]

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
PROSIMOS_DISTRIBUTIONS = ("fix", "uniform", "norm", "expon", "lognorm", "gamma", "triang")

_TASK_TAGS = {"task", "userTask", "serviceTask", "manualTask", "scriptTask", "sendTask", "receiveTask", "businessRuleTask"}
_KIND_BY_TAG = {
    "startEvent": "start", "endEvent": "end",
    "exclusiveGateway": "exclusive", "parallelGateway": "parallel", "inclusiveGateway": "inclusive",
    "intermediateCatchEvent": "pass", "intermediateThrowEvent": "pass",
}
_UNSUPPORTED = {
    "subProcess": "flatten the subprocess into the main process",
    "adHocSubProcess": "flatten the subprocess into the main process",
    "transaction": "flatten the transaction into the main process",
    "callActivity": "replace the call activity by the called process's tasks",
    "boundaryEvent": "model the boundary event as an explicit gateway branch",
    "eventBasedGateway": "use an exclusive gateway with branching probabilities",
    "complexGateway": "use an exclusive or inclusive gateway",
}
_SPREAD_NOTE_LIMIT = 0.05  # report a truncation that moves the mean by more than this


def import_prosimos(bpmn_path: str | os.PathLike[str], json_path: str | os.PathLike[str]) -> tuple[Process, dict[str, Any]]:
    """Read a Prosimos BPMN + JSON pair; return the process and a scenario mapping for ``parse_scenario``.

    Raises :class:`~sim.errors.ModelError` naming the file and element for anything that cannot be mapped.
    """
    bpmn_path, json_path = Path(bpmn_path), Path(json_path)
    notes: list[str] = []
    nodes, flows, proc_id, proc_name = _read_bpmn(bpmn_path, notes)
    params = _read_json(json_path)
    _refuse_unsupported(params, str(json_path), notes)
    src = f"prosimos: {json_path.name}"
    jfile = str(json_path)

    calendars = _calendars(params, jfile)
    resources = _resources(params, jfile)
    pools, task_pool = _pools(params, resources, nodes, jfile, bpmn_path, notes)

    # agencies: staff and opening hours
    agencies: dict[str, dict[str, Any]] = {}
    for pool_id, pool in pools.items():
        weighted: Counter[tuple[tuple[float, float], ...]] = Counter()
        for rid in pool["resources"]:
            cal_id = resources[rid]["calendar"]
            if cal_id not in calendars:
                raise ModelError(f'resource "{rid}" uses calendar "{cal_id}", which resource_calendars does not define; '
                                 "add it or point the resource at an existing calendar", file=jfile, element_id=rid)
            for day in range(5):
                weighted[calendars[cal_id][day]] += resources[rid]["amount"]
        hours = _modal_hours(weighted, f'agency "{pool_id}"', notes, jfile, pool_id)
        _capacity_note(pool_id, pool["staff"], hours, sum(_span(k) * w for k, w in weighted.items()), notes)
        agencies[pool_id] = {
            "name": pool["name"],
            "staff": pool["staff"],
            "hours": str(hours),
            "source": f"{src} resource_profiles (resources {', '.join(pool['resources'])}) and resource_calendars",
        }
        _weekend_note(calendars, [resources[r]["calendar"] for r in pool["resources"]], f'agency "{pool_id}"', notes)

    # task durations and facts
    steps: dict[str, dict[str, Any]] = {}
    for node_id, pool_id in task_pool.items():
        entry = pools[pool_id]["entries"][node_id]
        dist = _task_distribution(node_id, entry, resources, jfile, notes)
        duration = Duration(dist, "hour")
        steps[node_id] = {"work": f"{dist!r} h", "source": f"{src} task_resource_distribution"}
        node = nodes[node_id]
        nodes[node_id] = Node(node.id, "task", node.name, facts=TaskFacts(agency=pool_id, work=duration, source=src),
                              tag=node.tag, line=node.line, file=node.file)

    # intermediate events with a duration become timers
    for ev in params.get("event_distribution") or []:
        eid = str(ev.get("event_id", ""))
        if eid not in nodes:
            raise ModelError(f'event_distribution names event "{eid}", which is not in {bpmn_path.name}', file=jfile, element_id=eid)
        dist = map_distribution(ev, element=f'event "{eid}"', file=jfile, notes=notes)
        node = nodes[eid]
        nodes[eid] = Node(node.id, "timer", node.name, timer=Duration(dist, "hour"), tag=node.tag, line=node.line, file=node.file)

    for node in nodes.values():
        if node.kind == "pass" and node.tag.startswith("intermediate"):
            notes.append(f'event "{node.id}": no event_distribution (Prosimos 2.1.0 stops with a KeyError when a case '
                         "reaches it); assumption: it takes no time")
    flows, attributes = _apply_branching(params, nodes, flows, jfile, notes)

    # arrivals
    arrival = params.get("arrival_time_distribution")
    if not isinstance(arrival, Mapping):
        raise ModelError("no arrival_time_distribution; add one (inter-arrival time in seconds)", file=jfile)
    inter = map_distribution(arrival, element="arrival_time_distribution", file=jfile, notes=notes)
    if inter.mean <= 0:
        raise ModelError("arrival_time_distribution has mean 0; give a positive inter-arrival time", file=jfile)
    if not isinstance(inter, Exponential):
        notes.append(f"arrivals: Prosimos draws inter-arrival times from {inter!r} h; ReformSim arrivals are Poisson, "
                     "so only the mean inter-arrival time is kept")
    if params.get("arrival_time_calendar"):
        arr_cal = _calendar(params["arrival_time_calendar"], "arrival_time_calendar", jfile)
        office = _modal_hours(Counter(arr_cal[:5]), "arrival calendar", notes, jfile, "arrival_time_calendar")
        weekly = sum(_span(p) for p in arr_cal)
        if any(arr_cal[5:]):
            notes.append("arrival calendar: Prosimos accepts cases at weekends too; their arrivals are folded into "
                         "the working-day rate (the official calendar has no weekend office hours)")
    else:
        first = next(iter(agencies.values()))
        office = OpeningHours.parse(first["hours"])
        weekly = 5 * office.hours
        notes.append(f"arrival calendar: none given; Prosimos then uses the calendar of the first tasks' resources, "
                     f"taken here as {office}")
    # Prosimos lets inter-arrival time elapse and moves arrivals that fall in a closed period to the
    # next opening, so arrivals per week ≈ open seconds per week / mean inter-arrival.
    rate = weekly / inter.mean / 5
    notes.append("calendar: Prosimos calendars repeat weekly (7 days, no public holidays); ReformSim uses the official "
                 "working-day calendar (holidays and 调休 make-up days), so volumes around holidays differ")
    notes.append("procedures: Prosimos says nothing about which steps are procedures, documents or fees; "
                 "all tasks are imported with procedure=false")

    process = Process.build(
        proc_id, proc_name or bpmn_path.stem, nodes.values(), flows.values(), file=str(bpmn_path), notes=tuple(notes),
    )
    scenario = {
        "name": f"prosimos: {bpmn_path.stem}",
        "description": f"imported from Prosimos files {bpmn_path.name} and {json_path.name}",
        "office_hours": str(office),
        "arrivals": {
            "rate_per_workday": round(rate, 4),
            "source": f"{src} arrival_time_distribution (mean {inter.mean * 3600:g} s) over arrival_time_calendar "
                      f"({weekly:g} h per week / 5 working days)",
        },
        "agencies": agencies,
        "steps": steps,
    }
    if attributes:
        scenario["attributes"] = attributes
    return process, scenario


# Sections of a Prosimos 2.1.0 JSON the engine has no counterpart for: each changes who works when,
# so simulating without it would give other answers under the same name.
_UNSUPPORTED_SECTIONS = {
    "batch_processing": "batching (tasks held until a batch is full)",
    "prioritisation_rules": "case priorities (queues ordered by rules, not first come first served)",
    "multitask": "multitasking (a resource working on several tasks at once)",
}


def _refuse_unsupported(params: Mapping[str, Any], file: str, notes: list[str]) -> None:
    for key, what in _UNSUPPORTED_SECTIONS.items():
        if params.get(key):
            raise ScenarioError([(key, f"{what} has no ReformSim counterpart; remove the section (or make it empty) to "
                                       "simulate without it")], file=file)
    if str(params.get("model_type", "CRISP")).upper() == "FUZZY":
        raise ScenarioError([("model_type", "FUZZY calendars (availability probabilities) have no ReformSim counterpart; "
                                            "give crisp resource_calendars")], file=file)
    if "gateway_execution_limit" in params:
        notes.append(f"gateway_execution_limit {params['gateway_execution_limit']!r}: not used (ReformSim bounds loops by "
                     "its own stuck-case check)")


# -- BPMN -------------------------------------------------------------------------------------
def _read_bpmn(path: Path, notes: list[str]) -> tuple[dict[str, Node], dict[str, Flow], str, str]:
    # The elements as the one BPMN reader gives them (sim.bpmn.di: safe XML, no DTDs or entities). Not the
    # loader's compiled graph: Prosimos examples break the BPMN schema SpiffWorkflow checks (associations
    # without targetRef), and their durations, resources and branching come from the JSON anyway.
    doc = read_document(path)
    elements = list(doc.elements.values())
    with_flows = {e.parent for e in elements if e.kind == "sequenceFlow"}
    processes = [e for e in elements if e.kind == "process" and e.id in with_flows]
    if len(processes) != 1:
        raise ModelError(f"expected exactly one bpmn:process with sequence flows, found {len(processes)}; "
                         "keep one process per file", file=str(path))
    proc = processes[0]
    nodes: dict[str, Node] = {}
    flows: dict[str, Flow] = {}
    file = str(path)
    for el in (e for e in elements if e.parent == proc.id):
        tag, eid, line = el.kind, el.id, el.line
        if tag in _UNSUPPORTED:
            raise ModelError(f"{tag} is not supported by the Prosimos import; {_UNSUPPORTED[tag]}",
                             file=file, element_id=eid, tag=tag, line=line)
        if tag == "sequenceFlow":
            src, tgt = el.source_ref, el.target_ref
            if not (src and tgt):
                raise ModelError("a sequenceFlow needs id, sourceRef and targetRef", file=file, element_id=eid, tag=tag, line=line)
            if el.condition is not None:
                notes.append(f'flow "{eid}": its condition expression is ignored (Prosimos routes by branching probabilities)')
            flows[eid] = Flow(eid, src, tgt, name=el.name, line=line)
            continue
        kind = "task" if tag in _TASK_TAGS else _KIND_BY_TAG.get(tag)
        if kind is None:
            continue  # documentation, extensionElements, laneSet, association, textAnnotation, dataObject
        if tag == "startEvent" and el.event_definitions:
            notes.append(f'start event "{eid}": its event definition is ignored (cases arrive by the arrival distribution)')
        nodes[eid] = Node(eid, kind, el.name, default_flow=el.default, tag=tag, line=line, file=file)  # type: ignore[arg-type]
    for f in flows.values():
        for end, ref in (("sourceRef", f.source), ("targetRef", f.target)):
            if ref not in nodes:
                raise ModelError(f'{end}="{ref}" is not a task, event or gateway of the process', file=file,
                                 element_id=f.id, tag="sequenceFlow", line=f.line)
    if not any(n.kind == "start" for n in nodes.values()):
        raise ModelError("the process has no startEvent; add one", file=file, element_id=proc.id, tag="process")
    return nodes, flows, proc.id or path.stem, proc.name


# -- JSON -------------------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any]:
    data = read_json(path, PROSIMOS_JSON)  # regular file, size-limited, UTF-8, no duplicate keys
    if not isinstance(data, dict):
        raise ModelError("expected a JSON object with resource_profiles, task_resource_distribution, ...", file=str(path))
    for key in ("resource_profiles", "task_resource_distribution", "resource_calendars"):
        if not isinstance(data.get(key), list):
            raise ModelError(f'expected a list "{key}"', file=str(path), element_id=key)
    return data


def _time(text: Any, where: str, file: str) -> float:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?", str(text).strip())
    if not m:
        raise ModelError(f'expected a time like "09:00:00", got {text!r}', file=file, element_id=where)
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    value = h + mi / 60 + s / 3600
    # "23:59:59.999" is Prosimos's way of writing midnight at the end of the day
    return 24.0 if value > 23.99 else round(value * 60) / 60


def _span(periods: tuple[tuple[float, float], ...]) -> float:
    return sum(b - a for a, b in periods)


def _calendar(periods: Any, where: str, file: str) -> list[tuple[tuple[float, float], ...]]:
    """Seven tuples of merged (start, end) hour periods, Monday first."""
    if not isinstance(periods, list):
        raise ModelError("expected a list of time periods {from, to, beginTime, endTime}", file=file, element_id=where)
    days: list[list[tuple[float, float]]] = [[] for _ in WEEKDAYS]
    for p in periods:
        try:
            d0, d1 = WEEKDAYS.index(str(p["from"]).upper()), WEEKDAYS.index(str(p["to"]).upper())
        except (KeyError, ValueError, TypeError):
            raise ModelError(f"expected from/to weekdays MONDAY..SUNDAY in every time period, got {p!r}",
                             file=file, element_id=where) from None
        a, b = _time(p.get("beginTime"), where, file), _time(p.get("endTime"), where, file)
        if b <= a:
            raise ModelError(f"time period {p!r} ends before it begins; periods across midnight are not supported, "
                             "split them at 24:00", file=file, element_id=where)
        for d in range(d0, (d1 if d1 >= d0 else d1 + 7) + 1):
            days[d % 7].append((a, b))
    out = []
    for ps in days:
        merged: list[tuple[float, float]] = []
        for a, b in sorted(ps):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        out.append(tuple(merged))
    return out


def _calendars(params: Mapping[str, Any], file: str) -> dict[str, list[tuple[tuple[float, float], ...]]]:
    out = {}
    for cal in params["resource_calendars"]:
        cid = str(cal.get("id", ""))
        out[cid] = _calendar(cal.get("time_periods"), f"resource_calendars.{cid}", file)
    return out


def _modal_hours(weighted: Counter, what: str, notes: list[str], file: str, element: str) -> OpeningHours:
    """The working-day pattern that most weight has; every other pattern is noted."""
    open_days = Counter({k: v for k, v in weighted.items() if k})
    if not open_days:
        raise ModelError(f"{what}: the calendar has no hours Monday to Friday; ReformSim needs working-day hours",
                         file=file, element_id=element)
    best = max(open_days, key=lambda k: (open_days[k], _span(k)))
    hours = OpeningHours(best)
    others = [k for k in weighted if k != best]
    if others:
        shown = "; ".join(str(OpeningHours(k)) if k else "closed" for k in others)
        notes.append(f"{what}: Prosimos hours differ between weekdays or resources ({shown}); "
                     f"the most common working-day hours {hours} are used for every working day")
    return hours


def _capacity_note(pool_id: str, staff: int, hours: OpeningHours, weekly: float, notes: list[str]) -> None:
    """Say how many staff-hours a week (Monday to Friday) one pattern per agency gives against Prosimos's own calendars.

    An agency is one pool of staff under one opening-hours pattern for every working day (sim.model.calendar.OpeningHours),
    so per-resource and per-weekday calendars are not imported exactly: a known limit (README, Limits).
    """
    imported = staff * 5 * hours.hours
    if weekly > 0 and abs(imported - weekly) > 0.01 * weekly:
        notes.append(f'agency "{pool_id}": in Prosimos its resources work {weekly:g} staff-hours a week Monday to Friday, '
                     f"{imported:g} as imported ({staff} staff × {hours.hours:g} h × 5 days): ReformSim gives an agency one "
                     "opening-hours pattern for every working day and one pool of staff, so per-resource and per-weekday "
                     f"calendars are not imported exactly ({imported / weekly - 1:+.0%} capacity)")


def _weekend_note(calendars: Mapping[str, list], cal_ids: list[str], what: str, notes: list[str]) -> None:
    if any(calendars[c][5] or calendars[c][6] for c in cal_ids):
        notes.append(f"{what}: Prosimos calendar has weekend hours; ReformSim works only on official working days")


def _resources(params: Mapping[str, Any], file: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for profile in params["resource_profiles"]:
        for r in profile.get("resource_list") or []:
            rid = str(r.get("id", ""))
            try:
                amount = int(r.get("amount", 1))
            except (TypeError, ValueError):
                amount = -1
            if amount < 1:
                raise ModelError(f"resource amount must be a whole number >= 1, got {r.get('amount')!r}", file=file, element_id=rid)
            out.setdefault(rid, {"amount": amount, "calendar": str(r.get("calendar", "")),
                                 "profiles": []})["profiles"].append(profile)
    return out


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text.strip().lower()).strip("_")


def _pools(params: Mapping[str, Any], resources: Mapping[str, dict], nodes: Mapping[str, Node], file: str,
           bpmn: Path, notes: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Agencies = distinct sets of resources that can perform a task."""
    by_set: dict[frozenset[str], str] = {}
    pools: dict[str, dict[str, Any]] = {}
    task_pool: dict[str, str] = {}
    for entry in params["task_resource_distribution"]:
        tid = str(entry.get("task_id", ""))
        if tid not in nodes or nodes[tid].kind != "task":
            raise ModelError(f'task_resource_distribution names "{tid}", which is not a task of {bpmn.name}',
                             file=file, element_id=tid)
        rids = [str(r.get("resource_id", "")) for r in entry.get("resources") or []]
        if not rids:
            raise ModelError("task has no resources in task_resource_distribution; list at least one", file=file, element_id=tid)
        for rid in rids:
            if rid not in resources:
                raise ModelError(f'task "{tid}" names resource "{rid}", which no resource profile lists; add it to '
                                 "resource_profiles", file=file, element_id=tid)
        key = frozenset(rids)
        if key not in by_set:
            profiles = [p for p in params["resource_profiles"]
                        if frozenset(str(r.get("id")) for r in p.get("resource_list") or []) == key]
            name = " / ".join(dict.fromkeys(str(p.get("name") or p.get("id")) for p in profiles)) if profiles \
                else "resources " + ", ".join(sorted(key))
            base = _slug(str(profiles[0].get("name") or "")) if profiles else ""
            pid = base or f"pool_{len(pools) + 1}"
            while pid in pools:
                pid += "_"
            by_set[key] = pid
            pools[pid] = {"name": name, "resources": sorted(key), "entries": {},
                          "staff": sum(resources[r]["amount"] for r in key)}
        pid = by_set[key]
        pools[pid]["entries"][tid] = entry
        task_pool[tid] = pid
    missing = [n.id for n in nodes.values() if n.kind == "task" and n.id not in task_pool]
    if missing:
        raise ModelError(f"task(s) {', '.join(missing)} have no entry in task_resource_distribution; add one per task",
                         file=file, element_id=missing[0])
    for r in resources:
        pids = [pid for key, pid in by_set.items() if r in key]
        if len(pids) > 1:
            # ReformSim agencies do not share staff, so the resource is counted in each pool.
            notes.append(f'resource "{r}" serves several agencies ({", ".join(pids)}); it is counted as staff of each, '
                         "so capacity is overstated where they compete for it")
    return pools, task_pool


# -- distributions ----------------------------------------------------------------------------
def _values(spec: Mapping[str, Any], element: str, file: str) -> list[float]:
    raw = spec.get("distribution_params")
    if not isinstance(raw, list):
        raise ModelError(f"{element}: expected distribution_params as a list of {{value: number}}", file=file)
    out = []
    for p in raw:
        v = p.get("value") if isinstance(p, Mapping) else p
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            raise ModelError(f"{element}: distribution parameter {v!r} is not a number", file=file) from None
    return out


_ARITY = {"fix": 1, "uniform": 2, "norm": 2, "expon": 1, "lognorm": 2, "gamma": 2, "triang": 3}


def map_distribution(spec: Mapping[str, Any], *, element: str, file: str, notes: list[str] | None = None) -> Distribution:
    """A Prosimos distribution (seconds) as a ReformSim distribution in hours.

    >>> map_distribution({"distribution_name": "gamma", "distribution_params": [{"value": 3600}, {"value": 3600**2 / 4}]},
    ...                  element="task t", file="x.json")
    gamma(1, 0.5)
    """
    notes = notes if notes is not None else []
    name = str(spec.get("distribution_name", "")).lower()
    if name not in _ARITY:
        raise ModelError(
            f'{element}: distribution "{name}" has no ReformSim equivalent; use one of {", ".join(PROSIMOS_DISTRIBUTIONS)} '
            "(e.g. gamma with the same mean and variance)", file=file)
    v = _values(spec, element, file)
    if len(v) < _ARITY[name]:
        raise ModelError(f"{element}: {name} needs at least {_ARITY[name]} parameter(s), got {len(v)}", file=file)
    h = 3600.0
    try:
        if name == "fix":
            return Fixed(max(v[0], 0.0) / h)
        if name == "uniform":
            return Uniform(v[0] / h, v[1] / h)
        if name == "triang":
            # scipy convention (c, loc, scale), as Prosimos passes it to scipy.stats.triang
            c, loc, scale = v[0], v[1], v[2]
            notes.append(f"{element}: triang read with scipy's (c, loc, scale) convention")
            return Triangular(loc / h, (loc + c * scale) / h, (loc + scale) / h)
        base, lo, hi = prosimos_law(name, v)
        mean = v[0]
        if base is None:
            return Fixed(mean / h)
        m, sd = _truncated_moments(base, lo, hi)
        nominal = float(base.mean())
        if nominal > 0 and abs(m - nominal) / nominal > _SPREAD_NOTE_LIMIT:
            notes.append(f"{element}: Prosimos truncates {name} to [{lo:g}, {hi:g}] s, which moves the mean from "
                         f"{nominal:.4g} s to {m:.4g} s; the truncated mean and spread are used")
        if name == "expon":
            # min + Exp(mean - min), redrawn above max: exactly ReformSim's truncexp
            scale = max(mean - lo, 1e-12)
            if lo <= 0 and not hi - lo < 50 * scale:  # no shift and no cut worth the name: a plain exponential
                return Exponential(m / h)
            top = min(hi, lo + 50 * scale)  # a cut at 50 means drops e^-50 of the mass
            return TruncatedExponential(scale / h, lo / h, top / h)
        if name == "norm":
            return Normal(m / h, sd / h)
        if name == "lognorm":
            return LogNormal(m / h, sd / h)
        return Gamma(m / h, sd / h)
    except ValueError as exc:
        raise ModelError(f"{element}: {name} parameters {v} cannot be mapped: {exc}", file=file) from None


def prosimos_law(name: str, v: list[float]) -> tuple[Any, float, float]:
    """The scipy law Prosimos (pix-framework) samples for ``norm``/``expon``/``lognorm``/``gamma``
    parameters ``v`` (any unit), and the window ``[lo, hi]`` it redraws into (negatives always redrawn).
    ``None`` for a zero-variance law (a fixed value ``v[0]``). Raises ``ValueError`` on impossible parameters.

    >>> law, lo, hi = prosimos_law("norm", [10.0, 2.0, 0.0, 12.0])
    >>> round(float(law.cdf(12.0)), 4), lo, hi
    (0.8413, 0.0, 12.0)
    """
    k = 1 if name == "expon" else 2  # expon [mean, min, max]; the others [mean, spread, min, max]
    lo = max(v[k], 0.0) if len(v) > k else 0.0
    hi = v[k + 1] if len(v) > k + 1 else math.inf
    mean = v[0]
    if name == "expon":
        return stats.expon(loc=lo, scale=max(mean - lo, 1e-12) if mean > lo else mean), lo, hi
    if name == "norm":
        return stats.norm(loc=mean, scale=max(v[1], 1e-12)), lo, hi
    var = v[1]
    if mean <= 0 or var < 0:
        raise ValueError(f"need mean > 0 and variance >= 0, got {mean}, {var}")
    if var == 0:
        return None, lo, hi
    if name == "lognorm":
        sigma2 = math.log1p(var / mean**2)
        return stats.lognorm(math.sqrt(sigma2), scale=math.exp(math.log(mean) - sigma2 / 2)), lo, hi
    return stats.gamma(mean**2 / var, scale=var / mean), lo, hi


def _truncated_moments(dist: Any, lo: float, hi: float) -> tuple[float, float]:
    """Mean and standard deviation of ``dist`` conditioned on [lo, hi] (Prosimos redraws outside)."""
    a, b = dist.cdf(lo), dist.cdf(hi)
    if b - a < 1e-9:
        raise ValueError(f"no probability mass between min={lo:g} and max={hi:g}")
    if a < 1e-12 and b > 1 - 1e-12:
        return float(dist.mean()), float(dist.std())
    m1 = dist.expect(lambda x: x, lb=lo, ub=hi, conditional=True)
    m2 = dist.expect(lambda x: x * x, lb=lo, ub=hi, conditional=True)
    return float(m1), float(math.sqrt(max(m2 - m1 * m1, 0.0)))


def _task_distribution(tid: str, entry: Mapping[str, Any], resources: Mapping[str, dict], file: str,
                       notes: list[str]) -> Distribution:
    per = []
    for r in entry["resources"]:
        rid = str(r["resource_id"])
        per.append((rid, resources[rid]["amount"], map_distribution(r, element=f'task "{tid}" resource "{rid}"', file=file, notes=notes)))
    dists = {repr(d) for _, _, d in per}
    if len(dists) == 1:
        return per[0][2]
    # Different resources work at different speeds: match the amount-weighted mixture's mean and spread.
    total = sum(w for _, w, _ in per)
    mean = sum(w * d.mean for _, w, d in per) / total
    second = sum(w * (_sd(d) ** 2 + d.mean**2) for _, w, d in per) / total
    sd = math.sqrt(max(second - mean**2, 0.0))
    families = {type(d) for _, _, d in per}
    family = families.pop() if len(families) == 1 else Gamma
    if sd == 0:
        out: Distribution = Fixed(mean)
    elif family in (LogNormal, Normal, Gamma):
        out = family(mean, sd)
    else:
        out = Gamma(mean, sd)
    notes.append(f'task "{tid}": resources have different durations ({"; ".join(f"{rid}: {d!r} h" for rid, _, d in per)}); '
                 f"using {out!r} h, the amount-weighted mixture's mean and spread (assumption: each resource unit is "
                 "equally likely to take the task)")
    return out


def _sd(d: Distribution) -> float:
    if isinstance(d, (LogNormal, Gamma, Normal)):
        return d.sd
    if isinstance(d, Exponential):
        return d.mean
    if isinstance(d, Uniform):
        return (d.high - d.low) / math.sqrt(12)
    if isinstance(d, Triangular):
        a, c, b = d.low, d.mode, d.high
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
    return 0.0


# -- branching --------------------------------------------------------------------------------
def _apply_branching(params: Mapping[str, Any], nodes: dict[str, Node], flows: dict[str, Flow], file: str,
                     notes: list[str]) -> tuple[dict[str, Flow], dict[str, Any]]:
    """Shares from ``gateway_branching_probabilities``, conditions from ``branch_rules``, with Prosimos's fallbacks.

    Prosimos 2.1.0 gives a flow listed without ``value`` an equal part of what the listed values leave to 1
    (``parse_arrival_branching_probabilities``); that is reproduced. Where it would stop (probabilities of an
    exclusive gateway that do not add up to 1: numpy's "probabilities do not sum to 1"; a gateway with no
    entry: a KeyError), ReformSim goes on with the nearest reading and says so.
    """
    from .prosimos_rules import BranchRules, gateway_conditions

    rules = BranchRules(params, file=file, notes=notes, tasks={n.id for n in nodes.values() if n.kind == "task"})
    shares: dict[str, float] = {}
    conditions: dict[str, str] = {}
    given: set[str] = set()
    block = params.get("gateway_branching_probabilities") or []
    if not isinstance(block, list):
        raise ScenarioError([("gateway_branching_probabilities", "expected a list of {gateway_id, probabilities}")], file=file)
    for gi, g in enumerate(block):
        where = f"gateway_branching_probabilities[{gi}]"
        gid = str(g.get("gateway_id", "")) if isinstance(g, Mapping) else ""
        if gid not in nodes or nodes[gid].kind not in ("exclusive", "inclusive"):
            raise ScenarioError([(f"{where}.gateway_id", f'"{gid}" is not an exclusive or inclusive gateway of the process')],
                                file=file)
        outgoing = [f.id for f in flows.values() if f.source == gid]
        values: dict[str, float] = {}
        missing: list[str] = []
        candidates: dict[str, str] = {}
        for pi, p in enumerate(g.get("probabilities") or []):
            at = f"{where}.probabilities[{pi}]"
            fid = str(p.get("path_id", "")) if isinstance(p, Mapping) else ""
            if fid not in outgoing:
                raise ScenarioError([(f"{at}.path_id", f'"{fid}" is not an outgoing flow of gateway "{gid}"; expected one '
                                      f"of {', '.join(sorted(outgoing))}")], file=file)
            if "condition_id" in p:
                candidates[fid] = str(p["condition_id"])
            if "value" not in p:
                missing.append(fid)
                continue
            try:
                values[fid] = float(p["value"])
            except (TypeError, ValueError):
                raise ScenarioError([(f"{at}.value", f"expected a probability between 0 and 1, got {p['value']!r}")], file=file) from None
            if not 0 <= values[fid] <= 1:
                raise ScenarioError([(f"{at}.value", f"expected a probability between 0 and 1, got {values[fid]:g}")], file=file)
        if missing:
            part = (1 - sum(values.values())) / len(missing)
            values.update({fid: part for fid in missing})
            notes.append(f'gateway "{gid}": no value for {", ".join(missing)}; each gets {part:g}, what the others leave '
                         "to 1 shared equally, as Prosimos assigns it")
        total = sum(values.values())
        if nodes[gid].kind == "exclusive":
            if total <= 0:
                raise ScenarioError([(f"{where}.probabilities", "branching probabilities add up to 0")], file=file)
            if abs(total - 1) > 1e-8:
                notes.append(f'gateway "{gid}": probabilities add up to {total:g}; rescaled to 1 (Prosimos 2.1.0 stops '
                             'here with numpy\'s "probabilities do not sum to 1")')
                values = {k: v / total for k, v in values.items()}
        else:
            notes.append(f'gateway "{gid}": inclusive probabilities are per branch (each taken independently) and, when '
                         "no branch is drawn, one branch is picked by them, as in Prosimos")
            if abs(total - 1) > 1e-8:
                notes.append(f'gateway "{gid}": inclusive probabilities add up to {total:g}; the pick when no branch is '
                             'drawn scales them to 1 (Prosimos 2.1.0 stops there with numpy\'s "probabilities do not sum to 1")')
            node = nodes[gid]
            nodes[gid] = Node(node.id, node.kind, node.name, default_flow=node.default_flow, none_drawn="weighted",
                              tag=node.tag, line=node.line, file=node.file)
        for fid in outgoing:
            values.setdefault(fid, 0.0)
        shares.update(values)
        given.add(gid)
        if candidates:
            conditions.update(gateway_conditions(rules, gid, outgoing, values, candidates, nodes[gid].default_flow,
                                                 nodes[gid].kind == "inclusive", where))
    for n in list(nodes.values()):
        out = [f.id for f in flows.values() if f.source == n.id]
        if n.kind in ("exclusive", "inclusive") and len(out) > 1 and n.id not in given:
            share = 1 / len(out) if n.kind == "exclusive" else 1.0
            notes.append(f'gateway "{n.id}": no branching probabilities in the JSON (Prosimos 2.1.0 stops with a KeyError '
                         f"when a case reaches it); assumption: share {share:g} per branch")
            shares.update({fid: share for fid in out})
    attributes = rules.scenario_attributes()
    out_flows = {fid: Flow(f.id, f.source, f.target, condition=conditions.get(fid), share=shares.get(fid), name=f.name,
                           line=f.line) for fid, f in flows.items()}
    return out_flows, attributes


def load_prosimos(bpmn_path: str | os.PathLike[str], json_path: str | os.PathLike[str]) -> tuple[Process, Any]:
    """:func:`import_prosimos` with the scenario mapping already parsed: what ``reformsim run --prosimos`` runs.

    >>> from pathlib import Path
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "interop"
    >>> process, scenario = load_prosimos(data / "mini.bpmn", data / "mini.json")
    >>> scenario.name
    'prosimos: mini'
    """
    from ..model.scenario import parse_scenario

    process, mapping = import_prosimos(bpmn_path, json_path)
    return process, parse_scenario(mapping, file=str(json_path))


def process_and_scenario(settings: Mapping[str, Any], file: str | None = None) -> tuple[Process, Any]:
    """A run's settings on a Prosimos model: the import of ``settings["process"]`` (the BPMN) with
    ``settings["prosimos"]`` (the JSON) is the base, the other settings (a what-if's) go over it
    key by key, as a scenario that ``extends:`` another. What ``compare``/``sweep --prosimos`` and
    ``run WHATIF.yaml --prosimos`` build (:func:`sim.whatif.distributed.build`).

    >>> from pathlib import Path
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "interop"
    >>> settings = {"process": str(data / "mini.bpmn"), "prosimos": str(data / "mini.json"), "cases": 7}
    >>> process, scenario = process_and_scenario(settings)
    >>> scenario.cases, scenario.name
    (7, 'prosimos: mini')
    """
    from ..scenarios import PROSIMOS_KEY, merge_settings, scenario_from_mapping

    over = dict(settings)
    params, bpmn = over.pop(PROSIMOS_KEY), over.get("process")
    if not bpmn:
        raise ScenarioError([("process", "with --prosimos the scenario names the Prosimos BPMN model; add process: MODEL.bpmn")],
                            file=file)
    process, base = import_prosimos(bpmn, params)
    if file is not None and Path(file).suffix.lower() in (".yaml", ".yml") and "name" not in over:
        base.pop("name")  # a what-if on the import is known by its file's name (scenario_from_mapping), never the base's
    return process, scenario_from_mapping(merge_settings(base, over), file=file if file is not None else str(params))
