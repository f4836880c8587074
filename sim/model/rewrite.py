"""Graph rewriting: the reform levers of the plan as pure functions on a :class:`Process`.

The typed lever objects that call these live in :mod:`sim.model.levers`; the scenario form
(``edits:`` in YAML, parsed into levers with located errors) in :mod:`sim.model.edits`.

Each edit takes a process and returns a *new* one (the original is never changed). The result
is checked — every node still reachable from a start and still reaching an end — and carries
a line in ``Process.notes`` saying what changed; each changed step's ``TaskFacts.source`` gets
``"; edit: <what> (<source>)"`` appended, so a number's trail survives the edit. Bad edits
(an unknown step id, a merge of steps that do not follow each other, an edit that would cut
the graph) raise :class:`~sim.errors.ModelError` naming the step and what was expected.

=====================  ==========================  =====================================
lever (seed)           function                    scenario form (:mod:`sim.model.edits`)
=====================  ==========================  =====================================
区域评估, 清单之外无审批   :func:`remove_step`         ``{"remove": "t_x"}``
一窗受理 / 一网通办        :func:`merge_steps`         ``{"merge": ["t_a", "t_b"], "name": "一窗受理"}``
并联审批                  :func:`parallelise`         ``{"parallel": ["t_a", "t_b"]}``
一网通办 (online)         :func:`make_online`         ``{"online": "t_x"}``
告知承诺制                :func:`commitment`          ``{"commitment": "t_x", "inspection_share": 0.1}``
容缺受理                  :func:`accept_incomplete`   ``{"accept_incomplete": "t_x", "saved": "2 workday"}``
绿色通道                  :func:`green_channel`       ``{"green_channel": "t_x", "limit": "8 workday"}``
sensitivity ±20%        :func:`scale_duration`      ``{"scale": "t_x", "factor": 0.8, "part": "wait"}``
电子证照, direct facts    :func:`set_facts`           ``{"set": "t_x", "documents": 1}``
a step the reform adds    :func:`add_step`            ``{"add": "t_new", "after": "t_x", "name": "…", "agency": …}``
=====================  ==========================  =====================================

Example:
    >>> from sim.model.process import Flow, Node, Process, TaskFacts
    >>> p = Process.build("p", "示例", [
    ...     Node("s", "start"),
    ...     Node("t_a", "task", "受理", facts=TaskFacts(procedure=True, documents=3)),
    ...     Node("t_b", "task", "审批", facts=TaskFacts(procedure=True, documents=2)),
    ...     Node("e", "end")], [Flow("f1", "s", "t_a"), Flow("f2", "t_a", "t_b"), Flow("f3", "t_b", "e")])
    >>> q = merge_steps(p, ["t_a", "t_b"], name="一窗受理")
    >>> [n.id for n in q.tasks()], q.nodes["t_a"].facts.documents, len(p.tasks())
    (['t_a'], 3, 2)
    >>> remove_step(p, "t_c")
    Traceback (most recent call last):
    ...
    sim.errors.ModelError: <process>: element id="t_c": remove: unknown step "t_c" (did you mean "t_b"?); expected the id of a task or timer event of process "p"
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from types import MappingProxyType
from typing import Any, Literal

from ..errors import ModelError, did_you_mean
from .distributions import Fixed, Triangular, Uniform
from .durations import convert, describe
from .legal import check_kind
from .process import Duration, Flow, Node, Process, TaskFacts, TimeUnit, parse_duration

__all__ = [
    "remove_step",
    "merge_steps",
    "parallelise",
    "make_online",
    "commitment",
    "accept_incomplete",
    "green_channel",
    "scale_duration",
    "set_facts",
    "add_step",
    "TAXES_FILED",
    "EXTRA_FACTS",
    "ACCEPTANCE_SHARE",
    "GREEN_CHANNEL_QUANTILE",
]

Part = Literal["work", "wait", "both"]

# assumption: accepting a signed commitment (告知承诺) is a formal completeness check, about a
# fifth of the effort of the substantive review it replaces; override with `acceptance=`.
ACCEPTANCE_SHARE = 0.2

# assumption: on a green channel (绿色通道) the agency meets the new limit in at least 95% of
# cases; a distribution without an upper bound is capped at this quantile (see green_channel).
GREEN_CHANNEL_QUANTILE = 0.95

# The step properties an analysis reads that a new step (add) may state: which taxes a filing step files
# (sim.analysis.filings counts filings per firm-year from it; comma-separated tax keys, checked there).
TAXES_FILED = "taxes_filed"
EXTRA_FACTS = (TAXES_FILED,)

_STEP_KINDS = ("task", "timer")
# A step's legal standing (step_kind, levers, levers_source) is not a fact a scenario sets: see sim.model.legal.
_FACT_NAMES = tuple(f.name for f in fields(TaskFacts) if f.name not in ("source", "extra", "step_kind", "levers", "levers_source"))


# -- helpers ------------------------------------------------------------------------------------

def _error(process: Process, verb: str, step_id: str | None, message: str) -> ModelError:
    node = process.nodes.get(step_id) if step_id else None
    return ModelError(
        f"{verb}: {message}",
        file=(node.file if node else None) or process.file,
        element_id=step_id,
        tag=(node.tag or None) if node else None,
        line=node.line if node else None,
    )


def _step(process: Process, step_id: Any, verb: str, kinds: Sequence[str] = ("task",)) -> Node:
    """The node ``step_id``, which must exist and be of one of ``kinds``."""
    what = " or ".join("timer event" if k == "timer" else k for k in kinds)
    if not isinstance(step_id, str):
        raise _error(process, verb, None, f"expected a step id (text), got {step_id!r}")
    node = process.nodes.get(step_id)
    if node is None:
        candidates = [n.id for n in process.nodes.values() if n.kind in kinds]
        raise _error(
            process, verb, step_id,
            f'unknown step "{step_id}"{did_you_mean(step_id, candidates)}; expected the id of a {what} of process "{process.id}"',
        )
    if node.kind not in kinds:
        raise _error(process, verb, step_id, f'"{step_id}" is a {node.kind} element; expected a {what}')
    return node


def _facts(node: Node) -> TaskFacts:
    return node.facts if node.facts is not None else TaskFacts()


def _trail(facts: TaskFacts, what: str, source: str) -> TaskFacts:
    entry = f"edit: {what} ({source})"
    return replace(facts, source=f"{facts.source}; {entry}" if facts.source else entry)


def _fresh_id(taken: set[str], base: str) -> str:
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _convert(value: float, unit: TimeUnit, to: TimeUnit) -> float:
    # the one working-day convention (sim.model.durations); an edit has no agency hours at hand
    return convert(value, unit, to)


def _unit_note(units: Iterable[str]) -> str:
    kinds = sorted(set(units))
    if len(kinds) < 2:
        return ""
    return f" (units {', '.join(kinds)} combined with {describe()})"


def _as_duration(value: Any, what: str) -> Duration:
    """A Duration from a Duration or its text form (``"2 workday"``); ``ValueError`` otherwise."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f'expected a duration such as "2 workday" for {what}, got {value!r}')


def _scaled(duration: Duration, factor: float) -> Duration:
    return Duration(duration.dist.scaled(factor), duration.unit)


def _reachable(starts: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in step(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _problems(process: Process) -> set[str]:
    """Structural problems: dangling or self-looping flows, nodes cut off from a start or an end."""
    found: set[str] = set()
    succ: dict[str, list[str]] = {n: [] for n in process.nodes}
    pred: dict[str, list[str]] = {n: [] for n in process.nodes}
    for f in process.flows.values():
        if f.source not in process.nodes or f.target not in process.nodes:
            found.add(f'flow "{f.id}" connects "{f.source}" to "{f.target}", which is not in the process')
            continue
        if f.source == f.target:
            found.add(f'flow "{f.id}" would lead from "{f.source}" to itself')
        succ[f.source].append(f.target)
        pred[f.target].append(f.source)
    for n in process.nodes.values():
        if n.default_flow and (n.default_flow not in process.flows or process.flows[n.default_flow].source != n.id):
            found.add(f'"{n.id}" names default flow "{n.default_flow}", which no longer leaves it')
    starts = [n.id for n in process.nodes.values() if n.kind == "start"]
    ends = [n.id for n in process.nodes.values() if n.kind == "end"]
    forward = _reachable(starts, succ.__getitem__)
    backward = _reachable(ends, pred.__getitem__)
    for n in process.nodes:
        if n not in forward:
            found.add(f'"{n}" could no longer be reached from a start event')
        if n not in backward:
            found.add(f'"{n}" could no longer reach an end event')
    return found


def _finish(before: Process, verb: str, step_id: str, nodes: Iterable[Node], flows: Iterable[Flow], note: str) -> Process:
    """The edited process, checked: problems the edit introduced raise a ModelError."""
    after = before.with_changes(nodes=list(nodes), flows=list(flows), notes=(*before.notes, f"edit: {note}"))
    new = sorted(_problems(after) - _problems(before))
    if new:
        raise _error(before, verb, step_id, f"the edit would break the process: {'; '.join(new)}; expected every element to stay between a start and an end event, with no flow from an element to itself")
    return after


def _replace_node(process: Process, node: Node) -> list[Node]:
    return [node if n.id == node.id else n for n in process.nodes.values()]


def _with_facts(process: Process, node: Node, facts: TaskFacts, verb: str, note: str) -> Process:
    return _finish(process, verb, node.id, _replace_node(process, replace(node, facts=facts)), process.flows.values(), note)


def _reaches(process: Process, a: str, b: str) -> bool:
    return b in _reachable([a], process.successors)


def _chain(process: Process, step_ids: Any, verb: str, kinds: Sequence[str]) -> list[Node]:
    """The steps as a chain in flow order: each step's only successor is the next, which has no
    other incoming flow. The ids may be given in any order."""
    if isinstance(step_ids, str) or not isinstance(step_ids, Sequence) or len(step_ids) < 2:
        raise _error(process, verb, None, f"expected a list of at least two step ids, got {step_ids!r}")
    nodes = [_step(process, s, verb, kinds) for s in step_ids]
    ids = [n.id for n in nodes]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise _error(process, verb, dup, f'step "{dup}" is listed twice; expected each step once')
    members = set(ids)
    heads = [i for i in ids if not any(f.source in members for f in process.incoming(i))]
    if len(heads) != 1:
        a, b = (heads + ids)[:2] if heads else ids[:2]
        if len(heads) > 1 and not _reaches(process, a, b) and not _reaches(process, b, a):
            raise _error(process, verb, a, f'steps "{a}" and "{b}" are on different branches (neither follows the other); expected consecutive steps of one branch')
        if not heads:
            raise _error(process, verb, a, f"steps {', '.join(ids)} form a loop; expected a chain with a first step")
        raise _error(process, verb, a, f'steps "{a}" and "{b}" are not consecutive: other elements lie between them; expected each step to lead directly to the next')
    order = [process.nodes[heads[0]]]
    while len(order) < len(ids):
        cur = order[-1]
        outs = process.outgoing(cur.id)
        if len(outs) != 1 or outs[0].target not in members:
            rest = [i for i in ids if i not in {n.id for n in order}]
            leads = ", ".join(f'"{f.target}"' for f in outs) or "nothing"
            raise _error(process, verb, cur.id,
                         f'steps are not consecutive: "{cur.id}" leads to {leads}; expected it to lead only to one of {", ".join(rest)}')
        nxt = process.nodes[outs[0].target]
        ins = process.incoming(nxt.id)
        if len(ins) != 1:
            others = ", ".join(f'"{f.source}"' for f in ins if f.source != cur.id)
            raise _error(process, verb, nxt.id,
                         f'steps are not consecutive: "{nxt.id}" is also entered from {others}; expected it to be entered only from "{cur.id}"')
        if nxt in order:
            raise _error(process, verb, nxt.id, f"steps {', '.join(ids)} form a loop; expected a chain")
        order.append(nxt)
    return order


def _combine(durations: list[Duration], how: Literal["sum", "max"]) -> tuple[Duration | None, list[str]]:
    """Sum of the means as a fixed duration, or the duration with the largest mean (kept whole).
    The unit of the first one is kept; returns the units seen for the note."""
    if not durations:
        return None, []
    units = [d.unit for d in durations]
    unit = durations[0].unit
    if how == "sum":
        return Duration(Fixed(sum(_convert(d.mean, d.unit, unit) for d in durations)), unit), units
    return max(durations, key=lambda d: _convert(d.mean, d.unit, "workday")), units


# -- the edits ----------------------------------------------------------------------------------

def remove_step(process: Process, step_id: str, *, source: str = "scenario") -> Process:
    """Remove a step; the flows that entered it now enter its successor (区域评估, 清单之外无审批).

    The step must have exactly one outgoing flow. Conditions and shares of the entering flows
    are kept, so a branch that only held this step becomes a direct flow to the merge.

    >>> from sim.model.process import Flow, Node, Process
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> q = remove_step(p, "t")
    >>> list(q.nodes), [(f.source, f.target) for f in q.flows.values()]
    (['s', 'e'], [('s', 'e')])
    """
    verb = "remove"
    node = _step(process, step_id, verb, _STEP_KINDS)
    outs = process.outgoing(step_id)
    if len(outs) != 1:
        raise _error(process, verb, step_id, f'"{step_id}" has {len(outs)} outgoing flows; expected exactly one, to the step that takes its place')
    successor = outs[0].target
    flows = [replace(f, target=successor) if f.target == step_id else f for f in process.flows.values() if f.id != outs[0].id]
    # A branch that held only this step now runs beside the gateway's default flow to the same element: the branch
    # has nothing left to choose, so its flow goes (two flows between one pair would be two tokens at a join).
    defaults = {n.default_flow for n in process.nodes.values() if n.kind in ("exclusive", "inclusive") and n.default_flow}
    dropped = [f.id for f in flows if f.target == successor and f.id not in defaults
               and any(g.id in defaults and g.source == f.source and g.target == successor for g in flows)]
    flows = [f for f in flows if f.id not in dropped]
    nodes = [n for n in process.nodes.values() if n.id != step_id]
    gone = f'; branch flow {", ".join(dropped)} dropped (the default flow takes the same path)' if dropped else ""
    return _finish(process, verb, step_id, nodes, flows,
                   f'removed step "{step_id}" ({node.label}); its incoming flows now lead to "{successor}"{gone} ({source})')


def merge_steps(
    process: Process,
    step_ids: Sequence[str],
    new_id: str | None = None,
    name: str | None = None,
    *,
    documents: int | None = None,
    agency: str | None = None,
    wait: Literal["max", "sum"] = "max",
    kind: str | None = None,
    source: str = "scenario",
) -> Process:
    """Merge consecutive tasks into one procedure (一窗受理 / 一网通办).

    Rules for the merged step's facts:

    - ``documents``: the given number, else the *largest* of the steps' documents (the union
      minus duplicates is unknowable from the files; the largest is a lower bound);
    - ``work``: the sum of the steps' mean work, as a fixed duration (one officer does it all);
    - ``wait``: ``"max"`` (default) the wait with the largest mean, kept whole — the back-office
      reviews overlap once one window has all the documents; ``"sum"`` the sum of the means;
    - ``statutory_limit``: the sum of the limits when every step has one, else none;
    - ``procedure`` if any step is one; ``online``/``commitment`` only if all are; ``fee`` summed;
    - ``agency``: the given one, else the first step's (the window that receives the case);
    - id ``new_id`` (default the first step's id), name ``name`` (default the names joined by 、);
    - ``extra["merged_from"]`` = the merged ids, comma-separated, in flow order;
    - ``step_kind``: ``kind`` if given — one of the steps' own kinds (what the merged step legally is, e.g. a
      registration that absorbed a name check) — else the kinds joined by ``+`` (a lever then needs every part's rule).

    Means in different units are combined with :mod:`sim.model.durations` (a note says so).
    """
    verb = "merge"
    chain = _chain(process, step_ids, verb, ("task",))
    ids = [n.id for n in chain]
    first = chain[0]
    new_id = new_id or first.id
    if new_id in process.nodes and new_id not in ids:
        raise _error(process, verb, new_id, f'new id "{new_id}" is already used by another element; expected a new id or one of {", ".join(ids)}')
    if documents is not None and (isinstance(documents, bool) or not isinstance(documents, int) or documents < 0):
        raise _error(process, verb, first.id, f"documents must be a whole number >= 0, got {documents!r}")
    if wait not in ("max", "sum"):
        raise _error(process, verb, first.id, f'wait must be "max" or "sum", got {wait!r}')
    all_facts = [_facts(n) for n in chain]
    if kind is not None and kind not in {f.step_kind for f in all_facts}:
        raise _error(process, verb, first.id, f'kind "{kind}" is not the kind of any merged step; expected one of '
                                              f'{", ".join(sorted({f.step_kind or "unclassified" for f in all_facts}))}')
    work_d, work_units = _combine([f.work for f in all_facts if f.work], "sum")
    wait_d, wait_units = _combine([f.wait for f in all_facts if f.wait], wait)
    limits = [f.statutory_limit for f in all_facts if f.statutory_limit]
    limit_d, limit_units = _combine(limits, "sum") if len(limits) == len(all_facts) else (None, [])
    stages = list(dict.fromkeys(f.stage for f in all_facts if f.stage))
    extra: dict[str, str] = {}
    for f in all_facts:
        for k, v in f.extra.items():
            extra.setdefault(k, v)
    extra["merged_from"] = ",".join(ids)
    sources = "; ".join(f"{n.id}: {f.source}" for n, f in zip(chain, all_facts) if f.source)
    merged_name = name or "、".join(n.label for n in chain)
    facts = TaskFacts(
        agency=agency or first.facts and first.facts.agency or next((f.agency for f in all_facts if f.agency), None),
        procedure=any(f.procedure for f in all_facts),
        documents=documents if documents is not None else max(f.documents for f in all_facts),
        fee=sum(f.fee for f in all_facts),
        online=all(f.online for f in all_facts),
        statutory_limit=limit_d,
        work=work_d,
        wait=wait_d,
        stage="+".join(stages) or None,
        commitment=all(f.commitment for f in all_facts),
        # a merged step allows a lever only where every part does (sim.model.legal.ruling)
        step_kind=kind or ("+".join(dict.fromkeys(f.step_kind or "unclassified" for f in all_facts))
                           if any(f.step_kind for f in all_facts) else None),
        levers=tuple(x for x in all_facts[0].levers if all(x in f.levers for f in all_facts)),
        levers_source="; ".join(dict.fromkeys(f.levers_source for f in all_facts if f.levers_source)),
        source=sources,
        name_en=" + ".join(f.name_en for f in all_facts if f.name_en),
        extra=MappingProxyType(extra),
    )
    what = f"merged {', '.join(ids)} into one step \"{new_id}\" ({merged_name}); documents {'given' if documents is not None else 'max'}, work summed, wait {wait}"
    facts = _trail(facts, what, source)
    merged = replace(first, id=new_id, name=merged_name, facts=facts)
    nodes = [merged if n.id == first.id else n for n in process.nodes.values() if n.id == first.id or n.id not in ids]
    inside = {f.id for f in process.flows.values() if f.source in ids and f.target in ids}
    flows = []
    for f in process.flows.values():
        if f.id in inside:
            continue
        if f.target in ids:
            f = replace(f, target=new_id)
        if f.source in ids:
            f = replace(f, source=new_id)
        flows.append(f)
    note = what + next(filter(None, map(_unit_note, (work_units, wait_units, limit_units))), "")
    if len(limits) not in (0, len(all_facts)):
        note += f"; no statutory limit on the merged step because {', '.join(n.id for n, f in zip(chain, all_facts) if not f.statutory_limit)} had none"
    return _finish(process, verb, first.id, nodes, flows, f"{note} ({source})")


def parallelise(process: Process, step_ids: Sequence[str], *, source: str = "scenario") -> Process:
    """Run a chain of steps in parallel (并联审批): a parallel split before the first step and a
    parallel join after the last; each step keeps its facts. The ids may be given in any order.

    The Doing-Business rule that simultaneous procedures start on consecutive days is the
    analysis's business, not the graph's.
    """
    verb = "parallel"
    chain = _chain(process, step_ids, verb, _STEP_KINDS)
    ids = [n.id for n in chain]
    first, last = chain[0], chain[-1]
    taken = set(process.nodes) | set(process.flows)
    split = Node(_fresh_id(taken, f"g_par_{first.id}"), "parallel", "并联审批", scope=first.scope)
    join = Node(_fresh_id(taken, f"g_join_{first.id}"), "parallel", "并联审批汇合", scope=first.scope)
    what = f"{', '.join(ids)} run in parallel between \"{split.id}\" and \"{join.id}\""
    nodes: list[Node] = []
    for n in process.nodes.values():
        if n.id == first.id:
            nodes.append(split)
        if n.id in ids and n.kind == "task":
            n = replace(n, facts=_trail(_facts(n), "runs in parallel (并联审批)", source))
        nodes.append(n)
        if n.id == last.id:
            nodes.append(join)
    inside = {f.id for f in process.flows.values() if f.source in ids and f.target in ids}
    flows: list[Flow] = []
    for f in process.flows.values():
        if f.id in inside:
            continue
        if f.target == first.id:
            f = replace(f, target=split.id)
        if f.source == last.id:
            f = replace(f, source=join.id)
        flows.append(f)
    for n in chain:
        flows.append(Flow(_fresh_id(taken, f"f_{split.id}_{n.id}"), split.id, n.id))
        flows.append(Flow(_fresh_id(taken, f"f_{n.id}_{join.id}"), n.id, join.id))
    return _finish(process, verb, first.id, nodes, flows, f"{what} ({source})")


def make_online(process: Process, step_id: str, work_factor: float = 1.0, *, source: str = "scenario") -> Process:
    """Make a step fully online (一网通办): ``online=True``, work scaled by ``work_factor``.

    The Doing-Business clock then counts the procedure as half a day (applied downstream by
    the analysis, from ``online``).
    """
    verb = "online"
    node = _step(process, step_id, verb)
    _check_factor(process, verb, step_id, work_factor, "work_factor")
    facts = _facts(node)
    what = "made online" + (f", work x{work_factor:g}" if work_factor != 1 else "")
    work = _safe_scaled(process, verb, step_id, facts.work, work_factor) if facts.work else None
    facts = _trail(replace(facts, online=True, work=work), what, source)
    return _with_facts(process, node, facts, verb, f'"{step_id}" {what} ({source})')


def commitment(
    process: Process,
    step_id: str,
    inspection_share: float = 0.0,
    inspection: Duration | str | None = None,
    *,
    acceptance: Duration | str | None = None,
    source: str = "scenario",
) -> Process:
    """Turn an approval into a notification-commitment (告知承诺制).

    The step's wait is removed, its work becomes ``acceptance`` (default: a fixed
    ``ACCEPTANCE_SHARE`` = 0.2 of its mean work, see the assumption at the constant) and
    ``commitment=True``; it still counts as a procedure (the applicant files the commitment).

    With ``inspection_share`` > 0 an exclusive gateway after the step sends that share of the
    cases (flow ``share``) to an inspection task, then an exclusive merge rejoins the path. The
    inspection is done by the same agency with ``inspection`` work (default: the step's original
    work — the review moves after the approval), is *not* a procedure for the applicant
    (``procedure=False``), and carries ``extra["inspection_of"]`` and ``extra["after_approval"]``
    so the analysis can tell it apart. It adds elapsed time to the cases it hits.
    """
    verb = "commitment"
    node = _step(process, step_id, verb)
    if isinstance(inspection_share, bool) or not isinstance(inspection_share, (int, float)) or not 0 <= inspection_share <= 1:
        raise _error(process, verb, step_id, f"inspection_share must be a number between 0 and 1, got {inspection_share!r}")
    old = _facts(node)
    try:
        accept = _as_duration(acceptance, "acceptance") if acceptance is not None else None
        check = _as_duration(inspection, "inspection") if inspection is not None else old.work
    except ValueError as exc:
        raise _error(process, verb, step_id, str(exc)) from None
    if accept is None and old.work is not None:
        accept = Duration(Fixed(old.work.mean * ACCEPTANCE_SHARE), old.work.unit)
    if acceptance is not None:
        work_text = f"{accept} given"
    elif accept is not None:
        work_text = f"{accept} (assumption: {ACCEPTANCE_SHARE:g} of the review)"
    else:
        work_text = "none (the step had no work)"
    what = f"approval replaced by commitment (告知承诺), wait removed, work {work_text}"
    facts = _trail(replace(old, wait=None, work=accept, commitment=True), what, source)
    nodes = _replace_node(process, replace(node, facts=facts))
    flows = list(process.flows.values())
    note = f'"{step_id}" {what}'
    if inspection_share > 0:
        taken = set(process.nodes) | set(process.flows)
        insp = Node(
            _fresh_id(taken, f"t_inspect_{step_id}"), "task", f"{node.label}（事后核查）", scope=node.scope,
            facts=TaskFacts(
                agency=old.agency, procedure=False, work=check, stage=old.stage, step_kind="inspection",
                name_en=f"Inspection after commitment: {old.name_en or node.label}",
                source=f"edit: inspection after commitment of {step_id}, work {'given' if inspection is not None else 'the original review'} ({source})",
                extra=MappingProxyType({"inspection_of": step_id, "after_approval": "true"}),
            ),
        )
        outs = {f.id for f in process.outgoing(step_id)}
        added: list[Node] = [insp]
        if inspection_share >= 1:
            # every case is inspected: no gateway, the inspection sits on the path
            flows = [replace(f, source=insp.id) if f.id in outs else f for f in flows]
            flows.append(Flow(_fresh_id(taken, f"f_{step_id}_{insp.id}"), step_id, insp.id))
        else:
            gate = Node(_fresh_id(taken, f"g_inspect_{step_id}"), "exclusive", "是否抽查", scope=node.scope)
            merge = Node(_fresh_id(taken, f"g_inspect_{step_id}_join"), "exclusive", scope=node.scope)
            added = [gate, insp, merge]
            flows = [replace(f, source=merge.id) if f.id in outs else f for f in flows]
            flows += [
                Flow(_fresh_id(taken, f"f_{step_id}_{gate.id}"), step_id, gate.id),
                Flow(_fresh_id(taken, f"f_{gate.id}_{insp.id}"), gate.id, insp.id, share=float(inspection_share), name="抽查",
                     share_source=f"edit: 告知承诺 inspection share ({source})"),
                Flow(_fresh_id(taken, f"f_{gate.id}_{merge.id}"), gate.id, merge.id, share=1.0 - float(inspection_share),
                     name="免查", share_source=f"edit: 告知承诺 inspection share ({source})"),
                Flow(_fresh_id(taken, f"f_{insp.id}_{merge.id}"), insp.id, merge.id),
            ]
        at = [n.id for n in nodes].index(step_id) + 1
        nodes[at:at] = added
        note += f'; {inspection_share:g} of the cases then inspected at "{insp.id}" (not a procedure)'
    return _finish(process, verb, step_id, nodes, flows, f"{note} ({source})")


def accept_incomplete(
    process: Process,
    step_id: str,
    saved: Duration | str | None = None,
    *,
    factor: float | None = None,
    source: str = "scenario",
) -> Process:
    """Accept a case with documents missing (容缺受理): one document fewer up front, and the wait
    for the last documents cut — by ``saved`` (the wait is scaled, shape kept, so that its mean
    drops by ``saved``; a wait that would drop to 0 or below is removed) or by ``factor``.

    Without ``saved`` or ``factor`` only the documents change.
    """
    verb = "accept_incomplete"
    node = _step(process, step_id, verb)
    if saved is not None and factor is not None:
        raise _error(process, verb, step_id, "give either saved or factor, not both")
    old = _facts(node)
    wait = old.wait
    what = f"accepted with missing documents (容缺受理), documents {old.documents}->{max(old.documents - 1, 0)}"
    if saved is not None or factor is not None:
        if wait is None:
            raise _error(process, verb, step_id, f'"{step_id}" has no wait to cut; expected a step with a wait, or give neither saved nor factor')
        if factor is not None:
            _check_factor(process, verb, step_id, factor, "factor")
            cut = factor
            what += f", wait x{factor:g}"
        else:
            try:
                saved_d = _as_duration(saved, "saved")
            except ValueError as exc:
                raise _error(process, verb, step_id, str(exc)) from None
            cut = max(wait.mean - _convert(saved_d.mean, saved_d.unit, wait.unit), 0.0) / wait.mean if wait.mean > 0 else 0.0
            what += f", wait cut by {saved_d}" + _unit_note([saved_d.unit, wait.unit])
        wait = _safe_scaled(process, verb, step_id, wait, cut) if cut > 0 else None
    facts = _trail(replace(old, documents=max(old.documents - 1, 0), wait=wait), what, source)
    return _with_facts(process, node, facts, verb, f'"{step_id}" {what} ({source})')


def green_channel(process: Process, step_id: str, limit: Duration | str, *, source: str = "scenario") -> Process:
    """Put a step on a green channel (绿色通道): statutory limit set to ``limit``, wait capped.

    The cap works on the wait's *upper end*: the wait is scaled down (shape kept) so that its
    maximum — for fixed, uniform and triangular waits — or its ``GREEN_CHANNEL_QUANTILE`` (95th
    percentile) — for unbounded ones — does not exceed ``limit``. A wait already within the
    limit is kept. Work (staff effort, hours) is not touched.
    """
    verb = "green_channel"
    node = _step(process, step_id, verb)
    try:
        lim = _as_duration(limit, "limit")
    except ValueError as exc:
        raise _error(process, verb, step_id, str(exc)) from None
    old = _facts(node)
    wait = old.wait
    what = f"green channel (绿色通道), statutory limit {old.statutory_limit or 'none'} -> {lim}"
    if wait is not None:
        bounded = isinstance(wait.dist, (Fixed, Uniform, Triangular))
        upper = wait.dist.sample(1.0 if bounded else GREEN_CHANNEL_QUANTILE)
        cap = _convert(lim.mean, lim.unit, wait.unit)
        if upper > cap:
            wait = _safe_scaled(process, verb, step_id, wait, cap / upper)
            what += f", wait {old.wait} -> {wait} ({'maximum' if bounded else f'{GREEN_CHANNEL_QUANTILE:.0%} quantile'} within the limit)" + _unit_note([lim.unit, wait.unit])
    facts = _trail(replace(old, statutory_limit=lim, wait=wait), what, source)
    return _with_facts(process, node, facts, verb, f'"{step_id}" {what} ({source})')


def scale_duration(process: Process, step_id: str, factor: float, part: Part = "work", *, source: str = "scenario") -> Process:
    """Multiply a step's work, wait or both by ``factor`` (> 0), shape kept (sensitivity ±20%).

    A timer event's duration counts as its wait. Scaling a part the step does not have is an
    error (``"both"`` needs at least one of the two).
    """
    verb = "scale"
    node = _step(process, step_id, verb, _STEP_KINDS)
    _check_factor(process, verb, step_id, factor, "factor")
    if part not in ("work", "wait", "both"):
        raise _error(process, verb, step_id, f'part must be "work", "wait" or "both", got {part!r}')
    what = f"{part} x{factor:g}"
    if node.kind == "timer":
        if part == "work" or node.timer is None:
            raise _error(process, verb, step_id, f'timer "{step_id}" has {"no work" if part == "work" else "no duration"}; expected part "wait" on a timer with a duration')
        new = replace(node, timer=_safe_scaled(process, verb, step_id, node.timer, factor))
        return _finish(process, verb, step_id, _replace_node(process, new), process.flows.values(), f'"{step_id}" {what} ({source})')
    old = _facts(node)
    wanted = ("work", "wait") if part == "both" else (part,)
    present = [p for p in wanted if getattr(old, p) is not None]
    if not present or (part != "both" and len(present) < len(wanted)):
        raise _error(process, verb, step_id, f'"{step_id}" has no {" or ".join(wanted)}; expected a step with {" or ".join(wanted)} to scale')
    changes = {p: _safe_scaled(process, verb, step_id, getattr(old, p), factor) for p in present}
    facts = _trail(replace(old, **changes), what, source)
    return _with_facts(process, node, facts, verb, f'"{step_id}" {what} ({source})')


def set_facts(process: Process, step_id: str, *, source: str = "scenario", **facts: Any) -> Process:
    """Override facts of a task directly: ``documents``, ``fee``, ``online``, ``procedure``,
    ``agency``, ``statutory_limit``/``work``/``wait`` (a Duration, its text, or None), ``stage``,
    ``commitment``, ``name_en``; and ``name`` (the step's name). Used for 电子证照 (fewer documents)
    and any number a scenario states outright; ``source`` says where it comes from.

    >>> from sim.model.process import Flow, Node, Process
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> set_facts(p, "t", documents=2, wait="3 workday").nodes["t"].facts.wait
    Duration(dist=fixed(3), unit='workday')
    """
    verb = "set"
    node = _step(process, step_id, verb)
    if not facts:
        raise _error(process, verb, step_id, f"no facts given; expected some of {', '.join(_FACT_NAMES)}, name")
    old = _facts(node)
    changes: dict[str, Any] = {}
    new_name = node.name
    for key, value in facts.items():
        try:
            if key == "name":
                new_name = _coerce_fact("name", value)
            else:
                changes[key] = _coerce_fact(key, value)
        except ValueError as exc:
            raise _error(process, verb, step_id, str(exc)) from None
    what = ", ".join(f"{k}={_show(getattr(old, k))}->{_show(v)}" for k, v in changes.items())
    if new_name != node.name:
        what = ", ".join(filter(None, [f"name={node.name or '-'}->{new_name}", what]))
    new = replace(node, name=new_name, facts=_trail(replace(old, **changes), f"set {what}", source))
    return _finish(process, verb, step_id, _replace_node(process, new), process.flows.values(), f'"{step_id}" set {what} ({source})')


def add_step(process: Process, step_id: str, *, after: str | None = None, before: str | None = None,
             when: str | None = None, source: str = "scenario", **facts: Any) -> Process:
    """Insert a task the reform creates (e.g. 同步发放电子营业执照) in sequence ``after`` or ``before`` an existing
    node; ``facts`` are those of :func:`set_facts` plus ``kind`` (its ``step_kind``, :mod:`sim.model.legal`) and the
    properties of :data:`EXTRA_FACTS`.

    ``after`` a node with exactly one outgoing flow: that flow now enters the new step, which leads to the old
    target. ``before`` a node: every flow that entered it now enters the new step, which leads to it. With ``when``
    (a condition on case attributes, as a gateway's) only those cases take the new step: an exclusive gateway
    ``g_<id>`` sends them to it and the others past it to the merge ``m_<id>``.

    >>> from sim.model.process import Flow, Node, Process
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> q = add_step(p, "t_new", after="t", name="新环节", agency="a", work="1 h", kind="service")
    >>> list(q.nodes), [(f.source, f.target) for f in q.flows.values()]
    (['s', 't', 't_new', 'e'], [('s', 't'), ('t', 't_new'), ('t_new', 'e')])
    """
    verb = "add"
    if not isinstance(step_id, str) or not step_id:
        raise _error(process, verb, None, f"expected the new step's id (text), got {step_id!r}")
    if step_id in process.nodes or step_id in process.flows:
        raise _error(process, verb, step_id, f'id "{step_id}" is already used in process "{process.id}"; expected a new id')
    if (after is None) == (before is None):
        raise _error(process, verb, step_id, "give exactly one of after or before: the node the new step follows or precedes")
    anchor_id = after if after is not None else before
    kinds = ("start", "end", "task", "exclusive", "parallel", "inclusive", "timer", "pass")
    anchor = _step(process, anchor_id, verb, kinds)
    name, kind = facts.pop("name", None), facts.pop("kind", None)
    extra = {k: facts.pop(k) for k in EXTRA_FACTS if k in facts}
    if bad := [k for k, v in extra.items() if not isinstance(v, str) or not v.strip()]:
        raise _error(process, verb, step_id, f"{bad[0]} must be text, got {extra[bad[0]]!r}")
    try:
        values = {k: _coerce_fact(k, v) for k, v in facts.items()}
        step_kind = check_kind(kind) if kind is not None else None
        name = _coerce_fact("name", name) if name is not None else None
    except ValueError as exc:
        raise _error(process, verb, step_id, str(exc)) from None
    if not name:
        raise _error(process, verb, step_id, "the new step needs a name")
    new = Node(step_id, "task", name, scope=anchor.scope,
               facts=_trail(TaskFacts(step_kind=step_kind, extra=MappingProxyType(extra), **values),
                            f"step added {'after' if after else 'before'} {anchor_id}", source))
    taken = set(process.nodes) | set(process.flows)
    flows = list(process.flows.values())
    if after is not None:
        outs = process.outgoing(anchor.id)
        if len(outs) != 1:
            raise _error(process, verb, step_id, f'"{anchor.id}" has {len(outs)} outgoing flows; expected exactly one after which to '
                                                 'insert the step (or give before: the node it precedes)')
        old = outs[0]
        flows = [replace(f, target=step_id) if f.id == old.id else f for f in flows]
        flows.append(Flow(_fresh_id(taken, f"f_{step_id}__{old.target}"), step_id, old.target))
    else:
        if not process.incoming(anchor.id):
            raise _error(process, verb, step_id, f'"{anchor.id}" has no incoming flow; expected a node the new step can precede')
        flows = [replace(f, target=step_id) if f.target == anchor.id else f for f in flows]
        flows.append(Flow(_fresh_id(taken, f"f_{step_id}__{anchor.id}"), step_id, anchor.id))
    inserted = [new]
    if when is not None:
        inserted, flows = _guarded(process, new, when, flows, taken)
    nodes: list[Node] = []
    for n in process.nodes.values():
        if n.id == anchor.id and before is not None:
            nodes += inserted
        nodes.append(n)
        if n.id == anchor.id and after is not None:
            nodes += inserted
    where = f'after "{after}"' if after is not None else f'before "{before}"'
    only = f", only where {when}" if when is not None else ""
    return _finish(process, verb, step_id, nodes, flows, f'added step "{step_id}" ({name}) {where}{only} ({source})')


def _guarded(process: Process, new: Node, when: str, flows: list[Flow], taken: set[str]) -> tuple[list[Node], list[Flow]]:
    """The new step behind an exclusive gateway taking it where ``when`` holds, else straight to a merge after it."""
    from ..errors import ExpressionError
    from .expressions import names_in  # the restricted evaluator: a condition that would not run is refused here

    try:
        names_in(when)
    except ExpressionError as exc:
        raise _error(process, "add", new.id, f"when: {exc}") from None
    gate_id, merge_id = _fresh_id(taken, f"g_{new.id}"), _fresh_id(taken, f"m_{new.id}")
    default = _fresh_id(taken, f"f_{gate_id}__{merge_id}")
    gate = Node(gate_id, "exclusive", "是否适用", scope=new.scope, default_flow=default)
    merge = Node(merge_id, "exclusive", scope=new.scope)
    out = []
    for f in flows:
        if f.target == new.id:
            f = replace(f, target=gate_id)
        elif f.source == new.id:
            f = replace(f, source=merge_id)
        out.append(f)
    out += [Flow(_fresh_id(taken, f"f_{gate_id}__{new.id}"), gate_id, new.id, condition=when, name="是"),
            Flow(default, gate_id, merge_id, name="否"),
            Flow(_fresh_id(taken, f"f_{new.id}__{merge_id}"), new.id, merge_id)]
    return [gate, new, merge], out


def _show(value: Any) -> str:
    return "none" if value is None else str(value)


def _coerce_fact(key: str, value: Any) -> Any:
    """Check one fact for :func:`set_facts`; ``ValueError`` says what was expected."""
    if key not in _FACT_NAMES and key != "name":
        raise ValueError(f'unknown fact "{key}"{did_you_mean(key, (*_FACT_NAMES, "name"))}; expected one of {", ".join(_FACT_NAMES)}, name')
    if key in ("procedure", "online", "commitment"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false, got {value!r}")
        return value
    if key == "documents":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"documents must be a whole number >= 0, got {value!r}")
        return value
    if key == "fee":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"fee must be a number >= 0 (yuan), got {value!r}")
        return float(value)
    if key in ("statutory_limit", "work", "wait"):
        return None if value is None else _as_duration(value, key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be text, got {value!r}")
    return value


def _check_factor(process: Process, verb: str, step_id: str, factor: Any, name: str) -> None:
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (factor > 0 and math.isfinite(factor)):
        raise _error(process, verb, step_id, f"{name} must be a number > 0, got {factor!r}")


def _safe_scaled(process: Process, verb: str, step_id: str, duration: Duration, factor: float) -> Duration:
    try:
        return _scaled(duration, factor)
    except ValueError as exc:
        raise _error(process, verb, step_id, f"cannot scale {duration} by {factor:g}: {exc}") from None
