"""A reformed model as its baseline plus the plan's measures: ``processes/measures/<model>.yaml``.

A measures file names the model it builds, the baseline it starts from and, for each measure of the
plan's clause, the clause, a label (zh/en), the plan's words and the lever edits that carry it out —
the scenario ``edits:`` vocabulary (:mod:`sim.model.edits`, parsed and applied by the same code, with
the same legality rules), each edit with its ``source``. :func:`load_measures` checks the file and
reports every problem together with its YAML path (``company_setup_2021.yaml: measures[2].edits[0].merge:
…``); :func:`build_from_measures` applies the measures in order to the baseline; :func:`measure_diff`
says what each measure changed, so the before/after diff *is* the list of measures.

Rules a measures file keeps (checked here):

- every edit names its ``source``; the recorded trail is ``<clause>: <source>`` (``case: <source>``
  for a difference that is not a plan measure, ``kind: case``);
- a plan's promised time limit is a commitment, stated with ``set: … statutory_limit:`` (a design
  check); a ``set`` never states a simulated ``work`` or ``wait`` — those change only through a
  mechanism lever (merge, parallel, online with work_factor, commitment, …) or a new step (``add``);
- no source cites a target the model is judged against (:func:`cites_target`).

Example:
    >>> m = parse_measures({"model": "demo_2021", "baseline": "demo", "name": "示例", "name_en": "Demo",
    ...     "clause": "二(一)", "source": "assumption: demo", "measures": [{"id": "online", "clause": "二(一)2(1)",
    ...     "label": {"zh": "一网通办", "en": "one network"}, "text": "一网通办",
    ...     "edits": [{"online": "t", "source": "全流程网上办结"}]}]})
    >>> m.measures[0].edits[0].source
    '二(一)2(1): 全流程网上办结'
    >>> parse_measures({"model": "demo_2021"}, file="demo_2021.yaml")
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: demo_2021.yaml: baseline: required; expected the id of the model the measures start from
    demo_2021.yaml: name: required; expected the model's name (zh)
    demo_2021.yaml: name_en: required; expected the model's name in English
    demo_2021.yaml: clause: required; expected the plan's clause for the chain, such as 二(一)
    demo_2021.yaml: source: required; expected what the model keeps from its baseline and where the rest comes from
    demo_2021.yaml: measures: required; expected a list of measures
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import ScenarioError, did_you_mean
from .edits import apply_scenario_edits, parse_edits
from .levers import Attribute, Demand, Lever, Set, Staff
from .process import Flow, Node, Process
from .ranges import RANGE_PREFIX

__all__ = ["Measure", "Measures", "MeasureChange", "load_measures", "parse_measures", "build_from_measures", "measure_diff",
           "measures_of", "cites_target", "check_clause", "property_element", "MEASURES_PROPERTY", "TOP_KEYS", "MEASURE_KEYS"]

# The process property of a built model naming its measures file (relative to the processes folder).
MEASURES_PROPERTY = "measures"
TOP_KEYS = ("model", "baseline", "name", "name_en", "clause", "source", "measures")
MEASURE_KEYS = ("id", "clause", "kind", "label", "text", "edits", "ranges")
_TOP_WHAT = {
    "model": "the id of the model this file builds (the file's own name)",
    "baseline": "the id of the model the measures start from",
    "name": "the model's name (zh)",
    "name_en": "the model's name in English",
    "clause": "the plan's clause for the chain, such as 二(一)",
    "source": "what the model keeps from its baseline and where the rest comes from",
    "measures": "a list of measures",
}
# A clause of the seed plan: part, item in parentheses, then optional measure number and sub-items, e.g. 二(一)2(1)
# or 二(三)2(3)-(4). The seed's clause list is not in the repository, so the form is what can be checked.
_CN = "一二三四五六七八九十"
_CLAUSE = re.compile(rf"^[{_CN}]+\([{_CN}]+\)(?:\d+(?:\(\d+\)(?:-\(\d+\))?)?)?$")
# What a source must not say: the target it is judged against (T01…T30 of the register), or that a number was
# chosen so the whole fits (the verdict would restate the modeller's choice).
_TARGET_CITE = re.compile(r"\bT\d{2}\b|\bfits?\b|so the whole|within the (?:target|limit)|to (?:meet|reach) the target|达标|满足目标",
                          re.I)
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What the property may name: a file of the processes folder's measures/ (never a path elsewhere: a BPMN file from
# someone else must not make us read an arbitrary file).
_REF = re.compile(r"^measures/[A-Za-z_][A-Za-z0-9_]*\.yaml$")


def check_clause(text: Any) -> str:
    """``text`` if it has the form of a clause of the seed plan, else ``ValueError``.

    >>> check_clause("二(一)2(1)")
    '二(一)2(1)'
    >>> check_clause("2(1)")
    Traceback (most recent call last):
    ...
    ValueError: expected a clause of the plan such as 二(一) or 二(一)2(1), got '2(1)'
    """
    if not isinstance(text, str) or not _CLAUSE.match(text.strip()):
        raise ValueError(f"expected a clause of the plan such as 二(一) or 二(一)2(1), got {text!r}")
    return text.strip()


def cites_target(text: str) -> str:
    """The part of ``text`` that cites a target (``T01``) or fits a number to one (``fits``), else ``""``.

    >>> cites_target("assumption: 0.3 day, so it fits T01"), cites_target("seed 二(一)1: 0.5天")
    ('fits', '')
    """
    m = _TARGET_CITE.search(text or "")
    return m.group(0) if m else ""


@dataclass(frozen=True)
class Measure:
    """One measure of the plan (or a ``case`` difference): its clause, label, the plan's words and its edits."""

    id: str
    clause: str
    label_zh: str
    label_en: str
    text: str
    edits: tuple[Lever, ...]
    ranges: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    kind: str = "measure"  # or "case": a difference that is not a plan measure (clause empty)

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Measures:
    """A measures file: the model it builds from ``baseline`` and its measures, in order."""

    model: str
    baseline: str
    name: str
    name_en: str
    clause: str
    source: str
    measures: tuple[Measure, ...]
    file: str | None = None


@dataclass(frozen=True)
class MeasureChange:
    """What one measure changed: the elements (steps, gateways, flows, agencies) and each change in words."""

    measure: Measure
    elements: tuple[str, ...]
    changes: tuple[str, ...]


def load_measures(path: str | Path) -> Measures:
    """The measures file at ``path``, checked (:func:`parse_measures`); its name must be ``<model>.yaml``."""
    from .. import inputs

    data = inputs.read_yaml(path, inputs.SCENARIO)
    m = parse_measures(data, file=str(path))
    if Path(path).stem != m.model:
        raise ScenarioError([("model", f'the file is named "{Path(path).name}" but builds "{m.model}"; expected the file '
                                       f'{m.model}.yaml (one file per model, named by it)')], file=str(path))
    return m


def parse_measures(data: Any, *, file: str | None = None) -> Measures:
    """A measures file's mapping, checked; every problem reported together with its YAML path."""
    problems: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        raise ScenarioError([("", f"expected a mapping with {', '.join(TOP_KEYS)}; got {type(data).__name__}")], file=file)
    for key in data:
        if key not in TOP_KEYS:
            problems.append((str(key), f'unknown key{did_you_mean(str(key), TOP_KEYS)}; expected {", ".join(TOP_KEYS)}'))
    top: dict[str, str] = {}
    for key in TOP_KEYS[:-1]:
        value = data.get(key)
        if value is None:
            problems.append((key, f"required; expected {_TOP_WHAT[key]}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append((key, f"expected {_TOP_WHAT[key]} as text, got {value!r}"))
        else:
            top[key] = value.strip()
    for key in ("model", "baseline"):
        if key in top and not _ID.match(top[key]):
            problems.append((key, f"expected a model id (letters, digits, _), got {top[key]!r}"))
    if "clause" in top:
        try:
            check_clause(top["clause"])
        except ValueError as exc:
            problems.append(("clause", str(exc)))
    if "source" in top and (cite := cites_target(top["source"])):
        problems.append(("source", _cite_problem(cite)))
    items = data.get("measures")
    measures: list[Measure] = []
    if items is None:
        problems.append(("measures", f"required; expected {_TOP_WHAT['measures']}"))
    elif isinstance(items, (str, Mapping)) or not isinstance(items, Sequence) or not items:
        problems.append(("measures", "expected a non-empty list of measures, each with id, clause, label, text and edits"))
    else:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            m = _measure(item, f"measures[{i}]", problems, file)
            if m is None:
                continue
            if m.id in seen:
                problems.append((f"measures[{i}].id", f'"{m.id}" is also the id of measures[{seen[m.id]}]; expected ids unique in the file'))
            seen.setdefault(m.id, i)
            measures.append(m)
    if problems:
        raise ScenarioError(problems, file=file)
    return Measures(top["model"], top["baseline"], top["name"], top["name_en"], top["clause"], top["source"], tuple(measures), file)


def _cite_problem(cite: str) -> str:
    return (f'cites a target or fits a number to one ("{cite}"); a number of a reformed model names a regulation, a published '
            "measurement, a plan clause or an assumption with its reason and range, never the target it is judged against")


def _measure(item: Any, where: str, problems: list[tuple[str, str]], file: str | None) -> Measure | None:
    if not isinstance(item, Mapping):
        problems.append((where, f"expected a mapping with {', '.join(MEASURE_KEYS)}; got {item!r}"))
        return None
    before = len(problems)
    for key in item:
        if key not in MEASURE_KEYS:
            problems.append((f"{where}.{key}", f'unknown key{did_you_mean(str(key), MEASURE_KEYS)}; expected {", ".join(MEASURE_KEYS)}'))
    mid = item.get("id")
    if not isinstance(mid, str) or not _ID.match(mid):
        problems.append((f"{where}.id", f"expected a short id (letters, digits, _), got {mid!r}"))
    kind = item.get("kind", "measure")
    if kind not in ("measure", "case"):
        problems.append((f"{where}.kind", f'expected "measure" (a plan measure, the default) or "case" (a difference that is '
                                          f'not a plan measure), got {kind!r}'))
    clause = item.get("clause")
    if kind == "case":
        if clause not in (None, ""):
            problems.append((f"{where}.clause", "a case is not a plan measure: leave clause empty and say in each edit's source "
                                                "what defines the case"))
        clause = ""
    else:
        try:
            clause = check_clause(clause)
        except ValueError as exc:
            problems.append((f"{where}.clause", str(exc)))
    label = item.get("label")
    if not isinstance(label, Mapping) or not all(isinstance(label.get(k), str) and label.get(k).strip() for k in ("zh", "en")):
        problems.append((f"{where}.label", f"expected {{zh: 中文标签, en: English label}}, got {label!r}"))
        label = {}
    elif extra := [k for k in label if k not in ("zh", "en")]:
        problems.append((f"{where}.label.{extra[0]}", "unknown key; expected zh, en"))
    text = item.get("text", "")
    if not isinstance(text, str) or (kind == "measure" and not text.strip()):
        problems.append((f"{where}.text", f"expected the plan's words for the measure (zh, short), got {text!r}"))
    edits = _edits(item.get("edits"), f"{where}.edits", clause or "case", problems, file)
    ranges = item.get("ranges") or {}
    if not isinstance(ranges, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ranges.items()):
        problems.append((f"{where}.ranges", 'expected a mapping of assumption id to range, such as t_register.wait: "0.2-1 workday | why"'))
        ranges = {}
    else:
        from .ranges import parse_range

        for rid, text_ in ranges.items():
            try:
                parse_range(text_)
            except ValueError as exc:
                problems.append((f"{where}.ranges.{rid}", str(exc)))
            if cite := cites_target(text_):
                problems.append((f"{where}.ranges.{rid}", _cite_problem(cite)))
    if len(problems) > before:
        return None
    return Measure(mid, clause, label["zh"].strip(), label["en"].strip(), (text or "").strip(), edits, MappingProxyType(dict(ranges)),
                   kind)


def _edits(raw: Any, where: str, clause: str, problems: list[tuple[str, str]], file: str | None) -> tuple[Lever, ...]:
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, Sequence) or not raw:
        problems.append((where, "expected a non-empty list of edits (the scenario edits: vocabulary, plus add), each with source"))
        return ()
    for j, e in enumerate(raw):
        if not isinstance(e, Mapping):
            continue  # parse_edits says what was expected
        src = e.get("source")
        if not isinstance(src, str) or not src.strip():
            problems.append((f"{where}[{j}].source", "required in a measures file; expected where the edit comes from: the plan's "
                                                     "words, a regulation, a published measurement or 'assumption: why (range)'"))
        elif cite := cites_target(src):
            problems.append((f"{where}[{j}].source", _cite_problem(cite)))
    try:
        levers = parse_edits(raw, path=where, file=file)
    except ScenarioError as exc:
        problems.extend(exc.problems)
        return ()
    for j, lever in enumerate(levers):
        if isinstance(lever, Set) and (said := [k for k, _ in lever.facts if k in ("work", "wait")]):
            problems.append((f"{where}[{j}].{said[0]}", f"a measure does not state a simulated {said[0]}: a promised time limit "
                                                        "is set as statutory_limit (a design check); the time changes only through a "
                                                        "mechanism lever (merge, parallel, online with work_factor, commitment, "
                                                        "accept_incomplete, remove, scale, green_channel) whose number is sourced"))
    return tuple(replace(lv, source=f"{clause}: {lv.source}") for lv in levers)


def _applied(process: Process, scenario: Any, m: Measures, i: int) -> tuple[Process, Any]:
    """``process`` (and the staff/demand changes in ``scenario``) after measure ``i``, its case-attribute shares and ranges
    written."""
    from .assumptions import with_ranges

    measure = m.measures[i]
    read_before = set(process.attributes())
    process, scenario = apply_scenario_edits(process, scenario, measure.edits, path=f"measures[{i}].edits", file=m.file)
    if scenario.attributes:  # an attribute: measure's share on the process, as the baseline states its own (then rangeable)
        shares = {f"attribute.{name}": f"{spec.p:g}" for name, spec in scenario.attributes.items()}
        process = process.with_changes(defaults=MappingProxyType({**process.defaults, **shares}))
    process = _without_unread(process, read_before - set(process.attributes()))
    try:
        process = with_ranges(process, measure.ranges)
    except ValueError as exc:
        rid = next((r for r in measure.ranges if f'"{r}"' in str(exc)), "")
        raise ScenarioError([(f"measures[{i}].ranges.{rid}", f"{exc}; expected an id as `reformsim list --assumptions` prints it")],
                            file=m.file) from None
    return process, scenario


def _without_unread(process: Process, attributes: set[str]) -> Process:
    """``process`` without the mix (and its range) of each of ``attributes``: a measure removed the last gateway
    condition that read it, so it no longer enters a run (a scenario or the assumption space would name a dead one)."""
    if not attributes:
        return process
    keys = {f"{pre}attribute.{a}" for a in attributes for pre in ("", "range.")}
    return process.with_changes(defaults=MappingProxyType({k: v for k, v in process.defaults.items() if k not in keys}))


def build_from_measures(baseline: Process, m: Measures) -> Process:
    """``baseline`` with the measures of ``m`` applied in order, renamed to ``m.model``; staff, demand and case-attribute
    shares stay the baseline's unless a ``staff:``, ``demand:`` or ``attribute:`` edit changes them.

    >>> from sim.model.process import Flow, Node, Process, TaskFacts
    >>> base = Process.build("demo", "示例", [Node("s", "start"), Node("t", "task", facts=TaskFacts(agency="a")),
    ...                      Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> m = parse_measures({"model": "demo_2021", "baseline": "demo", "name": "示例2021", "name_en": "Demo 2021",
    ...     "clause": "二(一)", "source": "assumption: demo", "measures": [{"id": "online", "clause": "二(一)2(1)",
    ...     "label": {"zh": "一网通办", "en": "one network"}, "text": "一网通办", "edits": [{"online": "t", "source": "网办"}]}]})
    >>> p = build_from_measures(base, m)
    >>> p.id, p.nodes["t"].facts.online, p.nodes["t"].facts.source
    ('demo_2021', True, 'edit: made online (二(一)2(1): 网办)')
    """
    from .scenario import Scenario

    if baseline.id != m.baseline:
        raise ScenarioError([("baseline", f'the measures start from "{m.baseline}" but were given process "{baseline.id}"; '
                                          "expected the baseline the file names")], file=m.file)
    process, scenario = baseline, Scenario()
    for i in range(len(m.measures)):
        process, scenario = _applied(process, scenario, m, i)
    defaults = dict(process.defaults)
    for agency, spec in scenario.agencies.items():  # a staff: measure: the new number, on the process like the baseline's
        if spec.staff is not None:
            defaults[f"agency.{agency}.staff"] = str(spec.staff)
    if scenario.arrivals.growth != 1.0:  # a demand: measure scales the baseline's own rate, which must be stated
        if "arrivals.rate_per_workday" not in defaults:
            raise ScenarioError([("measures", f'a demand: measure scales the arrivals, but baseline "{m.baseline}" states no '
                                              "arrivals.rate_per_workday; expected the baseline to state its demand")], file=m.file)
        defaults["arrivals.rate_per_workday"] = f"{float(defaults['arrivals.rate_per_workday']) * scenario.arrivals.growth:g}"
    used = set(process.agencies())
    for key in list(defaults):  # an agency no step uses any more (its step was removed) leaves with its staff and hours
        agency = key.removeprefix(RANGE_PREFIX).split(".")[1] if key.removeprefix(RANGE_PREFIX).startswith("agency.") else None
        if agency is not None and agency not in used:
            del defaults[key]
    file_ref = f"measures/{m.model}.yaml"
    kept = baseline.defaults.get("source", "")
    defaults["source"] = _process_source(kept, f"{m.source} [built from {m.baseline} + {file_ref}, clause {m.clause}]", scenario)
    defaults[MEASURES_PROPERTY] = file_ref
    return process.with_changes(id=m.model, name=m.name, name_en=m.name_en, defaults=MappingProxyType(defaults), file=None)


def _process_source(kept: str, said: str, scenario: Any) -> str:
    """The built model's process ``source``: the baseline's first, so each process-level number keeps its grade (a
    field's attribution is graded by how its text starts, :mod:`sim.model.attribution`); then what the measures file
    says; then the source of each case-attribute share an ``attribute:`` measure set, last so that it is the one read.

    >>> _process_source("arrivals: assumption: x", "kept", type("S", (), {"attributes": {}})())
    'arrivals: assumption: x; measures: kept'
    """
    parts = [kept] if kept else []
    parts.append(f"measures: {said}")
    parts += [f"attribute.{name}: {_clause_last(spec.source)}" for name, spec in scenario.attributes.items()]
    return "; ".join(parts)


def _clause_last(source: str) -> str:
    """An edit's trail ``<clause>: <source>`` as ``<source> (<clause>)``: a field's attribution is graded by how it
    starts (``assumption: …``), so the clause goes last.

    >>> _clause_last("二(十二)2(2): assumption: fewer rejections")
    'assumption: fewer rejections (二(十二)2(2))'
    """
    head, sep, rest = source.partition(": ")
    return f"{rest} ({head})" if sep and (head == "case" or _CLAUSE.match(head)) else source


def measures_of(process: Process) -> Measures | None:
    """The measures file a built model names (its ``measures`` property, ``measures/<model>.yaml`` beside its BPMN
    file), loaded; ``None`` for a model not built from one.

    >>> from sim.model.process import Process
    >>> measures_of(Process.build("p", "p", [], [])) is None
    True
    """
    ref = process.defaults.get(MEASURES_PROPERTY)
    if not ref:
        return None
    if not _REF.match(ref) or process.file is None:
        raise ScenarioError([(MEASURES_PROPERTY, f"expected measures/<model>.yaml beside the BPMN file, got {ref!r}")],
                            file=process.file)
    return load_measures(Path(process.file).parent / ref)


def measure_diff(baseline: Process, m: Measures) -> tuple[MeasureChange, ...]:
    """What each measure of ``m`` changed when applied in order to ``baseline``: the elements it added, removed or
    changed (steps, gateways, flows; ``agency.<id>`` / ``arrivals`` for staff and demand) and each change in words."""
    from .scenario import Scenario

    out = []
    process, scenario = baseline, Scenario()
    for i, measure in enumerate(m.measures):
        after, scenario_after = _applied(process, scenario, m, i)
        elements, changes = _changes(process, after)
        before_d, after_d = process.defaults, after.defaults
        for key in sorted(k for k in set(before_d) | set(after_d) if before_d.get(k) != after_d.get(k)):
            if key != "source":  # a process property the measure set, changed or dropped: agency.<id>, attribute.<name>
                elements.append(property_element(key))
                changes.append(f"{key}: {before_d.get(key, '-')} -> {after_d.get(key, '-')}")
        for lever in measure.edits:
            if isinstance(lever, Staff):
                elements.append(f"agency.{lever.agency}")
                changes.append(f"agency.{lever.agency}: staff +{lever.add}")
            elif isinstance(lever, Demand):
                elements.append("arrivals")
                changes.append(f"arrivals: x{lever.factor:g}")
            elif isinstance(lever, Attribute):
                spec = scenario.attributes.get(lever.name)
                elements.append(lever.target)
                changes.append(f"{lever.target}: {spec.p if spec else process.defaults.get(lever.target)} -> {lever.p:g}")
        out.append(MeasureChange(measure, tuple(dict.fromkeys(elements)), tuple(dict.fromkeys(changes))))
        process, scenario = after, scenario_after
    return tuple(out)


def property_element(key: str) -> str:
    """The element a process property belongs to: ``agency.<id>`` for an agency's staff, hours, name and their
    ranges, ``attribute.<name>`` for a case attribute's mix, else the property itself.

    >>> property_element("range.agency.transport.staff"), property_element("attribute.needs_review")
    ('agency.transport', 'attribute.needs_review')
    """
    bare = key.removeprefix("range.")
    parts = bare.split(".")
    return ".".join(parts[:2]) if parts[0] in ("agency", "attribute") and len(parts) > 1 else bare


_COMPARED = ("agency", "procedure", "documents", "fee", "online", "statutory_limit", "work", "wait", "stage", "commitment",
             "step_kind", "levers", "name_en")


def _changes(before: Process, after: Process) -> tuple[list[str], list[str]]:
    """(element ids, changes in words) between two processes, element by element (the trail of sources left out)."""
    elements: list[str] = []
    changes: list[str] = []
    for nid, node in after.nodes.items():
        old = before.nodes.get(nid)
        if old is None:
            elements.append(nid)
            changes.append(f"{nid}: added ({node.kind} {node.label})")
        elif what := _node_delta(old, node):
            elements.append(nid)
            changes.append(f"{nid}: {what}")
    for nid, node in before.nodes.items():
        if nid not in after.nodes:
            elements.append(nid)
            changes.append(f"{nid}: removed ({node.kind} {node.label})")
    for fid, flow in after.flows.items():
        old_f = before.flows.get(fid)
        if old_f is None or _flow_key(old_f) != _flow_key(flow):
            elements.append(fid)
            changes.append(f"{fid}: {'added' if old_f is None else 'changed'} {flow.source} -> {flow.target}")
    for fid, flow in before.flows.items():
        if fid not in after.flows:
            elements.append(fid)
            changes.append(f"{fid}: removed {flow.source} -> {flow.target}")
    return elements, changes


def _flow_key(f: Flow) -> tuple[Any, ...]:
    return (f.source, f.target, f.condition, f.share, f.share_range)


def _node_delta(old: Node, new: Node) -> str:
    """The facts that differ between two versions of one node, ``"wait 2 day -> 1 day, online False -> True"``."""
    parts = []
    if old.name != new.name:
        parts.append(f"name {old.name} -> {new.name}")
    if old.kind != new.kind or old.timer != new.timer:
        parts.append(f"{old.kind} {old.timer} -> {new.kind} {new.timer}")
    a, b = old.facts, new.facts
    if (a is None) != (b is None):
        parts.append("facts changed")
    elif a is not None and b is not None:
        for name in _COMPARED:
            x, y = getattr(a, name), getattr(b, name)
            if x != y:
                parts.append(f"{name} {x} -> {y}")
        ranges_a = {k: v for k, v in a.extra.items() if k.startswith("range.")}
        ranges_b = {k: v for k, v in b.extra.items() if k.startswith("range.")}
        for k in sorted(set(ranges_a) | set(ranges_b)):
            if ranges_a.get(k) != ranges_b.get(k):
                parts.append(f"{k} {ranges_a.get(k)} -> {ranges_b.get(k)}")
        others = {k for k in set(a.extra) | set(b.extra) if not k.startswith("range.") and a.extra.get(k) != b.extra.get(k)}
        parts += [f"{k} {a.extra.get(k)} -> {b.extra.get(k)}" for k in sorted(others)]
    return ", ".join(parts)
