"""Compare two variants of a chain (before/after a reform) and draw them side by side.

Works on loaded processes (:func:`sim.bpmn.loader.load_bpmn`): the steps and their facts come
from the process graph, the drawing from the diagram the loader read with it, and the counts
under each panel from the one counter, :func:`sim.analysis.paths.max_counts` (worst path;
statutory time per unit along the critical path). Nothing here reads a file.

Rules (a step is a task, or an intermediate timer event — a statutory waiting period):

1. Matching: same id first; then, among the steps left, same name (whitespace and full/half-width
   brackets ignored) or same ``name_en`` (case ignored), pairing in document order.
1a. renamed: a 1:1 match whose names differ — same id with a new name, or (among steps still
   unmatched after rules 1 and 2) the same agency at the same position: the nearest steps or events
   before and after it (gateways skipped) are matched to each other, and no other step fits as well.
   Position matching runs in passes, so two consecutive renamed steps pair up one after the other.
   A renamed step is neither removed nor added.
2. merged: an after-step absorbs two or more before-steps. It absorbs (a) the before-steps its
   ``merged_from`` property lists (ids or names, separated by commas, ``、`` or ``;``), (b) the
   before-step it is matched with, and (c) any before-step left unmatched whose name (≥ 2
   characters) occurs inside the after-step's name — "名称核准与设立登记" absorbs "名称核准"
   and "设立登记".
3. removed: before-steps neither matched nor absorbed. added: after-steps neither matched nor
   merged.
4. parallelised: two matched steps of which one followed the other in before (a path led from
   one to the other), while in after neither reaches the other and both are reached from the
   same diverging parallel (or inclusive) gateway.
5. shortened: a matched step whose ``statutory_limit``, or whose mean ``wait`` + ``work``, is
   smaller in after (compared in working days: 1 h = 1/8 workday, 1 calendar day = 5/7 workday,
   both assumptions for comparing mixed units only).
6. made_online: a matched step with ``online`` false (or absent) before and true after.
7. commitment: an after-step with ``commitment`` true whose before-step (if any) was not.

Colours: each panel shows only what that side has. The before panel colours the before-steps that are
removed, merged into another, or renamed (under their old name); parallelised, shortened, made online
and commitment describe the after-steps and colour only the after panel (a step that ran in sequence
before is not drawn as parallel there).

Example:
    >>> from pathlib import Path
    >>> from sim.bpmn.loader import load_process
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "diagram"
    >>> d = diff_processes(load_process(data / "before.bpmn"), load_process(data / "after.bpmn"))
    >>> d.removed, d.added, d.merged[1]
    (['t_check'], ['t_guide'], Merge(sources=('t_tax', 't_social'), target='t_post'))
    >>> d.after_counts.procedures, d.after_counts.statutory_text("en")
    (6, '6 working days')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib import patches
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.paths import MaxCounts, max_counts
from ..bpmn.di import DiagramDI
from ..errors import ModelError
from ..i18n import DIFF, words
from ..model.durations import convert
from ..model.process import Duration, Node, Process
from .diagram import diagram_of, draw_on_axes, extent, figure_size, save_figure, tint
from .fonts import cjk_font

__all__ = [
    "Merge",
    "Change",
    "ProcessDiff",
    "diff_processes",
    "render_diff",
    "CLASS_COLOURS",
]

# Colour of each class in the drawing (colour-blind-safe Okabe–Ito palette).
CLASS_COLOURS: dict[str, str] = {
    "removed": "#D55E00",
    "added": "#009E73",
    "merged": "#CC79A7",
    "parallelised": "#0072B2",
    "shortened": "#E69F00",
    "made_online": "#56B4E9",
    "commitment": "#7B3294",
    "renamed": "#F0E442",
}
# When a step is in several classes, the first of this order colours it.
_PRIORITY = ("removed", "added", "merged", "parallelised", "commitment", "made_online", "shortened", "renamed")

_LABELS = DIFF  # the one table of labels: sim.i18n



@dataclass(frozen=True)
class Merge:
    """Before-steps ``sources`` absorbed by after-step ``target``."""

    sources: tuple[str, ...]
    target: str


@dataclass(frozen=True)
class Change:
    """A numeric change of one matched step: ``what`` is ``statutory_limit`` or ``wait+work``, in ``unit``
    (the steps' own unit when both state the same one, else working days by the module's assumptions)."""

    before_id: str
    after_id: str
    what: str
    before: float
    after: float
    unit: str = "workday"


@dataclass
class ProcessDiff:
    """The classified differences; ids are before-ids for ``removed``, after-ids for ``added``."""

    before_file: str | None
    after_file: str | None
    matched: dict[str, str] = field(default_factory=dict)  # before id -> after id
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (before id, after id): matched 1:1, new name
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[Merge] = field(default_factory=list)
    parallelised: list[tuple[str, str]] = field(default_factory=list)  # after-id pairs
    shortened: list[Change] = field(default_factory=list)
    made_online: list[str] = field(default_factory=list)  # after ids
    commitment: list[str] = field(default_factory=list)  # after ids
    before_counts: MaxCounts | None = None
    after_counts: MaxCounts | None = None

    def highlights(self) -> tuple[dict[str, str], dict[str, str]]:
        """Element id → colour for the before and the after diagram, one class per step."""
        before, after = self.step_classes()

        def pick(classes: dict[str, list[str]]) -> dict[str, str]:
            return {k: CLASS_COLOURS[v[0]] for k, v in classes.items()}

        return pick(before), pick(after)

    def step_classes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Element id → its classes, most telling first, for the before and the after diagram."""
        before: dict[str, list[str]] = {}
        after: dict[str, list[str]] = {}
        for sid in self.removed:
            before.setdefault(sid, []).append("removed")
        for sid in self.added:
            after.setdefault(sid, []).append("added")
        for m in self.merged:
            after.setdefault(m.target, []).append("merged")
            for s in m.sources:
                before.setdefault(s, []).append("merged")
        for b, a in self.renamed:
            before.setdefault(b, []).append("renamed")
            after.setdefault(a, []).append("renamed")
        for pair in self.parallelised:  # after only: before, these steps ran one after the other
            for a in pair:
                after.setdefault(a, []).append("parallelised")
        for c in self.shortened:
            after.setdefault(c.after_id, []).append("shortened")
        for a in self.made_online:
            after.setdefault(a, []).append("made_online")
        for a in self.commitment:
            after.setdefault(a, []).append("commitment")

        def ordered(classes: dict[str, list[str]]) -> dict[str, list[str]]:
            return {k: sorted(set(v), key=_PRIORITY.index) for k, v in classes.items()}

        return ordered(before), ordered(after)

    def classes_present(self) -> list[str]:
        present = {
            "removed": self.removed, "added": self.added, "merged": self.merged,
            "parallelised": self.parallelised, "shortened": self.shortened,
            "made_online": self.made_online, "commitment": self.commitment, "renamed": self.renamed,
        }
        return [k for k in _PRIORITY if present[k]]


# --------------------------------------------------------------------------- reading facts


def _process(p: Any) -> Process:
    """A :class:`Process`, or the process of a :class:`~sim.bpmn.loader.LoadedProcess`."""
    process = getattr(p, "process", p)
    if not isinstance(process, Process):
        raise TypeError(f"expected a process (sim.load_process / sim.load_bpmn), got {type(p).__name__}")
    return process


def _steps(p: Process) -> list[Node]:
    return [n for n in p.nodes.values() if n.kind in ("task", "timer")]


def _norm(name: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "　": ""})
    return re.sub(r"\s+", "", name.translate(table)).lower()


def _name_en(n: Node) -> str:
    return n.facts.name_en if n.facts is not None else ""


def _workdays(d: Duration) -> float:
    """One step's time in working days, only to tell whether that step got shorter."""
    return convert(d.mean, d.unit, "workday")  # the one working-day convention (sim.model.durations)


def _statutory(n: Node) -> Duration | None:
    """The statutory limit of a step; a timer is itself a statutory waiting period."""
    if n.kind == "timer":
        return n.timer
    return n.facts.statutory_limit if n.facts is not None else None


def _in_one_unit(before: Duration, after: Duration) -> tuple[float, float, str]:
    """Both means in the unit they share; in working days (an approximation) only when the units differ."""
    if before.unit == after.unit:
        return before.mean, after.mean, before.unit
    return _workdays(before), _workdays(after), "workday"


def _effort(n: Node) -> float | None:
    if n.facts is None or (n.facts.wait is None and n.facts.work is None):
        return None
    return sum(_workdays(d) for d in (n.facts.wait, n.facts.work) if d is not None)


def _flag(n: Node, fact: str) -> bool:
    return bool(getattr(n.facts, fact)) if n.facts is not None else False


class _Graph:
    """Reachability along sequence flows of the flattened graph."""

    def __init__(self, p: Process) -> None:
        self.succ: dict[str, list[str]] = {}
        for f in p.flows.values():
            self.succ.setdefault(f.source, []).append(f.target)
        self._reach: dict[str, set[str]] = {}

    def reach(self, node: str) -> set[str]:
        """Nodes reachable from ``node`` by one or more flows."""
        if node not in self._reach:
            seen: set[str] = set()
            stack = list(self.succ.get(node, []))
            while stack:
                n = stack.pop()
                if n not in seen:
                    seen.add(n)
                    stack.extend(self.succ.get(n, []))
            self._reach[node] = seen
        return self._reach[node]


# --------------------------------------------------------------------------- classifying


def _match(before: list[Node], after: list[Node]) -> dict[str, str]:
    matched: dict[str, str] = {}
    after_ids = {e.id for e in after}
    for b in before:
        if b.id in after_ids:
            matched[b.id] = b.id
    used = set(matched.values())
    for key in (lambda e: _norm(e.name), lambda e: _norm(_name_en(e))):
        pool: dict[str, list[str]] = {}
        for a in after:
            if a.id not in used and key(a):
                pool.setdefault(key(a), []).append(a.id)
        for b in before:
            if b.id in matched or not key(b):
                continue
            candidates = pool.get(key(b))
            if candidates:
                a_id = candidates.pop(0)
                matched[b.id] = a_id
                used.add(a_id)
    return matched


_GATEWAYS = ("exclusive", "parallel", "inclusive", "pass", "scope_exit")


def _anchors(p: Process, node: str, forward: bool) -> set[str]:
    """The nearest steps or events before (``forward`` False) or after ``node``, gateways skipped."""
    nxt: dict[str, list[str]] = {}
    for f in p.flows.values():
        a, b = (f.source, f.target) if forward else (f.target, f.source)
        nxt.setdefault(a, []).append(b)
    out: set[str] = set()
    seen = {node}
    stack = list(nxt.get(node, []))
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if p.nodes[n].kind in _GATEWAYS:
            stack.extend(nxt.get(n, []))
        else:
            out.add(n)
    return out


def _event_map(before_p: Process, after_p: Process) -> dict[str, str]:
    """Start to start and end to end, where each side has exactly one (the anchors of the first and last steps)."""
    out = {}
    for kind in ("start", "end"):
        b = [n.id for n in before_p.nodes.values() if n.kind == kind]
        a = [n.id for n in after_p.nodes.values() if n.kind == kind]
        if len(b) == 1 and len(a) == 1:
            out[b[0]] = a[0]
    return out


def _agency(n: Node) -> str:
    return (n.facts.agency or "") if n.facts is not None else ""


def _by_position(before_p: Process, after_p: Process, left_b: list[Node], left_a: list[Node],
                 known: dict[str, str]) -> dict[str, str]:
    """Rule 1a: pair leftover steps of the same agency whose anchors agree (``known``: before id → after id)."""
    mapping = dict(_event_map(before_p, after_p), **known)
    pairs: dict[str, str] = {}

    def agree(b_set: set[str], a_set: set[str]) -> tuple[bool, bool]:
        mapped_after = set(mapping.values())
        kb = {mapping[x] for x in b_set if x in mapping}
        ka = {y for y in a_set if y in mapped_after}
        same = kb == ka and len(b_set) - len(kb) == len(a_set) - len(ka)
        return same, bool(kb)

    changed = True
    while changed:
        changed = False
        todo_b = [b for b in left_b if b.id not in pairs]
        todo_a = [a for a in left_a if a.id not in pairs.values()]
        fits: dict[str, list[str]] = {}
        for b in todo_b:
            for a in todo_a:
                if not _agency(b) or _agency(b) != _agency(a):
                    continue
                (p_ok, p_known), (s_ok, s_known) = (agree(_anchors(before_p, b.id, False), _anchors(after_p, a.id, False)),
                                                    agree(_anchors(before_p, b.id, True), _anchors(after_p, a.id, True)))
                if p_ok and s_ok and (p_known or s_known):
                    fits.setdefault(b.id, []).append(a.id)
        claimed: dict[str, int] = {}
        for cands in fits.values():
            for a in cands:
                claimed[a] = claimed.get(a, 0) + 1
        for b_id, cands in fits.items():  # only unambiguous pairs: one candidate each way
            if len(cands) == 1 and claimed[cands[0]] == 1:
                pairs[b_id] = mapping[b_id] = cands[0]
                changed = True
    return pairs


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,，、;；]", text) if p.strip()]


def _merges(after_p: Process, before: list[Node], after: list[Node], matched: dict[str, str]) -> list[Merge]:
    by_id = {e.id: e for e in before}
    by_name = {_norm(e.name): e.id for e in before if e.name}
    back = {a: b for b, a in matched.items()}
    merges: list[Merge] = []
    taken: set[str] = set()
    for a in after:
        absorbed: list[str] = []
        if a.id in back:
            absorbed.append(back[a.id])
        merged_from = a.facts.extra.get("merged_from", "") if a.facts is not None else ""
        for ref in _split_list(merged_from):
            bid = ref if ref in by_id else by_name.get(_norm(ref))
            if bid is None and a.id in by_id:  # the step was merged before the before-process: nothing merged between the two
                continue
            if bid is None:
                raise ModelError(
                    f'merged_from names "{ref}", which is no step id or name of the before-process',
                    file=after_p.file, element_id=a.id, tag=a.tag or None, line=a.line,
                )
            absorbed.append(bid)
        a_name = _norm(a.name)
        for b in before:
            b_name = _norm(b.name)
            if (b.id not in matched and b.id not in taken and len(b_name) >= 2 and b_name in a_name
                    and b_name != a_name):
                absorbed.append(b.id)
        order = {e.id: i for i, e in enumerate(before)}
        unique = tuple(sorted(dict.fromkeys(absorbed), key=order.__getitem__))
        if len(unique) >= 2:
            merges.append(Merge(unique, a.id))
            taken.update(unique)
    return merges


def _parallelised(before_p: Process, after_p: Process, matched: dict[str, str]) -> list[tuple[str, str]]:
    gb, ga = _Graph(before_p), _Graph(after_p)
    splits = [n.id for n in after_p.nodes.values() if n.kind in ("parallel", "inclusive") and len(ga.succ.get(n.id, [])) >= 2]
    pairs: list[tuple[str, str]] = []
    items = list(matched.items())
    for i, (b1, a1) in enumerate(items):
        for b2, a2 in items[i + 1:]:
            sequential_before = b2 in gb.reach(b1) or b1 in gb.reach(b2)
            if not sequential_before or a2 in ga.reach(a1) or a1 in ga.reach(a2):
                continue
            if any(a1 in ga.reach(g) and a2 in ga.reach(g) for g in splits):
                pairs.append((a1, a2))
    return pairs


def diff_processes(before: Any, after: Any) -> ProcessDiff:
    """Classify the steps of two variants of a chain (rules in the module docstring).

    ``before`` and ``after`` are loaded processes (:func:`sim.load_process` or :func:`sim.load_bpmn`).
    """
    before_p, after_p = _process(before), _process(after)
    b_steps, a_steps = _steps(before_p), _steps(after_p)
    matched = _match(b_steps, a_steps)
    merges = _merges(after_p, b_steps, a_steps, matched)
    in_merge_b = {s for m in merges for s in m.sources}
    in_merge_a = {m.target for m in merges}
    # A step absorbed into a merge is no longer a 1:1 match.
    one_to_one = {b: a for b, a in matched.items() if b not in in_merge_b and a not in in_merge_a}
    left_b = [e for e in b_steps if e.id not in matched and e.id not in in_merge_b]
    left_a = [e for e in a_steps if e.id not in matched.values() and e.id not in in_merge_a]
    known = dict(one_to_one, **{s: m.target for m in merges for s in m.sources})
    by_position = _by_position(before_p, after_p, left_b, left_a, known)
    matched = {**matched, **by_position}
    one_to_one = {**one_to_one, **by_position}
    out = ProcessDiff(before_p.file, after_p.file, matched=one_to_one, merged=merges)
    out.renamed = [(b, a) for b, a in one_to_one.items()
                   if _norm(before_p.nodes[b].name) != _norm(after_p.nodes[a].name)]
    out.removed = [e.id for e in b_steps if e.id not in matched and e.id not in in_merge_b]
    out.added = [e.id for e in a_steps if e.id not in matched.values() and e.id not in in_merge_a]
    out.parallelised = _parallelised(before_p, after_p, one_to_one)
    for b_id, a_id in one_to_one.items():
        b, a = before_p.nodes[b_id], after_p.nodes[a_id]
        db, da = _statutory(b), _statutory(a)
        sb, sa, unit = _in_one_unit(db, da) if db is not None and da is not None else (0.0, 0.0, "")
        if unit and sa < sb - 1e-9:
            out.shortened.append(Change(b_id, a_id, "statutory_limit", round(sb, 4), round(sa, 4), unit))
        else:
            eb, ea = _effort(b), _effort(a)
            if eb is not None and ea is not None and ea < eb - 1e-9:
                out.shortened.append(Change(b_id, a_id, "wait+work", round(eb, 4), round(ea, 4)))
        if _flag(a, "online") and not _flag(b, "online"):
            out.made_online.append(a_id)
    back = {a: b for b, a in one_to_one.items()}
    for a in a_steps:
        if _flag(a, "commitment"):
            b_id = back.get(a.id)
            if b_id is None or not _flag(before_p.nodes[b_id], "commitment"):
                out.commitment.append(a.id)
    out.before_counts = max_counts(before_p)
    out.after_counts = max_counts(after_p)
    return out


# --------------------------------------------------------------------------- drawing


def render_diff(before: Any, after: Any, out_path: str | Path, lang: str = "zh") -> Path:
    """Before and after diagrams (side by side, or stacked when wide), changes coloured, counts below.

    ``before`` and ``after`` are loaded processes with their diagrams (:func:`sim.load_bpmn`).
    """
    text = words(_LABELS, lang)
    dis: list[DiagramDI] = [diagram_of(before), diagram_of(after)]  # first: an error names the file without DI
    d = diff_processes(before, after)
    sizes = [figure_size(extent(di)) for di in dis]
    stacked = max(w / h for w, h in sizes) > 1.6  # wide chains read better one above the other
    head, foot, legend_h = 0.45, 0.45, 0.5  # inches: panel title, counts line, legend row
    if stacked:
        width = max(w for w, _ in sizes)
        height = sum(h + head + foot for _, h in sizes) + legend_h
    else:
        width = sum(w for w, _ in sizes) + 0.4
        height = max(h for _, h in sizes) + head + foot + legend_h
    width = max(width, 7.0)
    fig = Figure(figsize=(width, height))
    font = cjk_font()
    cb, ca = d.step_classes()
    panels = [(dis[0], cb, text["before"], d.before_counts), (dis[1], ca, text["after"], d.after_counts)]
    y_top = height
    x_left = 0.0
    for (di, classes, label, counts), (w, h) in zip(panels, sizes):
        if stacked:
            box = (0.0, y_top - head - h, width, h)
            y_top -= head + h + foot
        else:
            box = (x_left, legend_h + foot, w, h)
            x_left += w + 0.4
        ax = fig.add_axes((box[0] / width, box[1] / height, box[2] / width, box[3] / height))
        draw_on_axes(ax, di, highlight={k: CLASS_COLOURS[v[0]] for k, v in classes.items()}, lang=lang)
        _mark_classes(ax, di, classes)
        cx = (box[0] + box[2] / 2) / width
        fig.text(cx, (box[1] + box[3] + head / 2) / height, label, ha="center", va="center",
                 fontproperties=font, fontsize=13, fontweight="bold")
        assert counts is not None
        fig.text(cx, (box[1] - foot / 2) / height,
                 text["counts"].format(procedures=counts.procedures, documents=counts.documents,
                                       statutory=counts.statutory_text(lang) or text["no_statutory"]),
                 ha="center", va="center", fontproperties=font, fontsize=10)
    handles = [
        patches.Patch(fc=tint(CLASS_COLOURS[k], 0.72), ec=CLASS_COLOURS[k], lw=2, label=text[k])
        for k in d.classes_present()
    ]
    if any(len(v) > 1 for v in ca.values()) or any(len(v) > 1 for v in cb.values()):
        handles.append(Line2D([], [], ls="none", marker="o", markersize=6, color="#777777", label=text["dot"]))
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, prop=font,
                   bbox_to_anchor=(0.5, 0.0))
    return save_figure(fig, Path(out_path))


def _mark_classes(ax, di: DiagramDI, classes: Mapping[str, list[str]]) -> None:  # noqa: ANN001 - matplotlib Axes
    """Cross out removed steps; show a step's further classes as dots along its top edge."""
    for element_id, cls in classes.items():
        shape = di.shape(element_id)
        if shape is None:
            continue
        b = shape.bounds
        if cls[0] == "removed":
            # Under the label (text is at zorder 6) and faint, so the removed step stays readable.
            colour = CLASS_COLOURS["removed"]
            for ys in ((b.y + 6, b.bottom - 6), (b.bottom - 6, b.y + 6)):
                ax.plot([b.x + 6, b.right - 6], ys, color=colour, lw=1.2, alpha=0.45, zorder=5)
        for i, extra in enumerate(cls[1:]):
            ax.add_patch(patches.Circle((b.right - 8 - 11 * i, b.y + 8), 4.5, fc=CLASS_COLOURS[extra], ec="white",
                                        lw=0.8, zorder=7))
