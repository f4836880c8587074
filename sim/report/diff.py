"""Compare two variants of a chain (before/after a reform) and draw them side by side.

Reads both BPMN files itself (elements, ``spiffworkflow:properties``, sequence flows, DI), so it
needs neither SpiffWorkflow nor the loader in :mod:`sim.bpmn`.

Rules (a step is an activity, or an intermediate timer catch event — a statutory waiting period):

1. Matching: same id first; then, among the steps left, same name (whitespace and full/half-width
   brackets ignored) or same ``name_en`` (case ignored), pairing in document order.
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

Example:
    >>> from pathlib import Path
    >>> data = Path(__file__).parents[2] / "tests" / "data" / "diagram"
    >>> d = diff_processes(data / "before.bpmn", data / "after.bpmn")
    >>> d.removed, d.added, d.merged[1]
    (['t_check'], ['t_guide'], Merge(sources=('t_tax', 't_social'), target='t_post'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib import patches
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.errors import ModelError
from sim.model.durations import convert
from sim.model.process import parse_duration
from sim.report.diagram import (
    ACTIVITY_KINDS,
    BpmnDocument,
    DiagramDI,
    Element,
    draw_on_axes,
    figure_size,
    parse_bpmn,
    save_figure,
    tint,
)
from sim.report.fonts import cjk_font

__all__ = [
    "Merge",
    "Change",
    "ChainCounts",
    "ProcessDiff",
    "diff_processes",
    "chain_counts",
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
}
# When a step is in several classes, the first of this order colours it.
_PRIORITY = ("removed", "added", "merged", "parallelised", "commitment", "made_online", "shortened")

_LABELS = {
    "zh": {
        "removed": "取消", "added": "新增", "merged": "合并", "parallelised": "并联办理",
        "shortened": "压缩时限", "made_online": "网上办理", "commitment": "告知承诺",
        "before": "改革前", "after": "改革后",
        "dot": "圆点：该环节的其他变化",
        "counts": "环节 {procedures} 个 · 材料 {documents} 份 · 法定时限 {statutory}",
        "statutory": "{days:g} 个工作日（最长路径）",
        "no_statutory": "未标注",
    },
    "en": {
        "removed": "removed", "added": "added", "merged": "merged", "parallelised": "parallelised",
        "shortened": "shortened", "made_online": "made online", "commitment": "commitment (告知承诺)",
        "before": "Before", "after": "After", "dot": "dot: a further change of the step",
        "counts": "{procedures} procedures · {documents} documents · statutory limit {statutory}",
        "statutory": "{days:g} working days (longest path)",
        "no_statutory": "not stated",
    },
}



@dataclass(frozen=True)
class Merge:
    """Before-steps ``sources`` absorbed by after-step ``target``."""

    sources: tuple[str, ...]
    target: str


@dataclass(frozen=True)
class Change:
    """A numeric change of one matched step: ``what`` is ``statutory_limit`` or ``wait+work``."""

    before_id: str
    after_id: str
    what: str
    before: float
    after: float


@dataclass(frozen=True)
class ChainCounts:
    """What a planner compares first: procedures, documents, statutory working days."""

    procedures: int
    documents: int
    statutory_workdays: float | None  # None when no step of the chain states a statutory limit


@dataclass
class ProcessDiff:
    """The classified differences; ids are before-ids for ``removed``, after-ids for ``added``."""

    before_file: Path
    after_file: Path
    matched: dict[str, str] = field(default_factory=dict)  # before id -> after id
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[Merge] = field(default_factory=list)
    parallelised: list[tuple[str, str]] = field(default_factory=list)  # after-id pairs
    shortened: list[Change] = field(default_factory=list)
    made_online: list[str] = field(default_factory=list)  # after ids
    commitment: list[str] = field(default_factory=list)  # after ids
    before_counts: ChainCounts | None = None
    after_counts: ChainCounts | None = None

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
        back = {a: b for b, a in self.matched.items()}
        for pair in self.parallelised:
            for a in pair:
                after.setdefault(a, []).append("parallelised")
                if a in back:
                    before.setdefault(back[a], []).append("parallelised")
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
            "made_online": self.made_online, "commitment": self.commitment,
        }
        return [k for k in _PRIORITY if present[k]]


# --------------------------------------------------------------------------- reading facts


def _steps(doc: BpmnDocument) -> list[Element]:
    return [
        e for e in doc.elements.values()
        if e.kind in ACTIVITY_KINDS or (e.kind == "intermediateCatchEvent" and "timer" in e.event_definitions)
    ]


def _norm(name: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "　": ""})
    return re.sub(r"\s+", "", name.translate(table)).lower()


def _flag(doc: BpmnDocument, e: Element, prop: str) -> bool:
    value = e.properties.get(prop)
    if value is None or value == "":
        return False
    v = value.strip().lower()
    if v in ("true", "1", "yes", "是"):
        return True
    if v in ("false", "0", "no", "否"):
        return False
    raise ModelError(f'property "{prop}" must be true or false, got "{value}"', file=str(doc.file),
                     element_id=e.id, tag=e.kind, line=e.line)


def _number(doc: BpmnDocument, e: Element, prop: str) -> float:
    value = e.properties.get(prop)
    if value is None or value.strip() == "":
        return 0.0
    try:
        return float(value)
    except ValueError:
        raise ModelError(f'property "{prop}" must be a number, got "{value}"', file=str(doc.file),
                         element_id=e.id, tag=e.kind, line=e.line) from None


def _workdays(doc: BpmnDocument, e: Element, text: str, prop: str) -> float:
    try:
        d = parse_duration(text)
    except ValueError as exc:
        raise ModelError(f'property "{prop}": {exc}', file=str(doc.file), element_id=e.id, tag=e.kind,
                         line=e.line) from None
    return convert(d.mean, d.unit, "workday")  # the one working-day convention (sim.model.durations)


_ISO = re.compile(r'^"?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?"?$')


def _statutory(doc: BpmnDocument, e: Element) -> float | None:
    """The statutory limit in working days, or None when the step has none."""
    if e.properties.get("statutory_limit"):
        return _workdays(doc, e, e.properties["statutory_limit"], "statutory_limit")
    if e.kind == "intermediateCatchEvent":
        # A timer is itself a statutory waiting period: its `wait` property or its ISO duration.
        if e.properties.get("wait"):
            return _workdays(doc, e, e.properties["wait"], "wait")
        iso = e.timer_duration
        if iso:
            m = _ISO.match(iso.strip())
            if not m:
                raise ModelError(f'timeDuration "{iso}" is not an ISO-8601 duration like "P20D"',
                                 file=str(doc.file), element_id=e.id, tag=e.kind, line=e.line)
            weeks, days, hours, minutes = (float(g) if g else 0.0 for g in m.groups())
            calendar_days = 7 * weeks + days + (hours + minutes / 60) / 24
            return convert(calendar_days, "day", "workday")
    return None


def _effort(doc: BpmnDocument, e: Element) -> float | None:
    parts = [e.properties.get("wait"), e.properties.get("work")]
    if not any(parts):
        return None
    total = 0.0
    for prop, text in zip(("wait", "work"), parts):
        if text:
            total += _workdays(doc, e, text, prop)
    return total


class _Graph:
    """Sequence-flow successors; subprocess contents stay inside their subprocess."""

    def __init__(self, doc: BpmnDocument) -> None:
        self.succ: dict[str, list[str]] = {}
        for f in doc.flows():
            if f.source_ref and f.target_ref:
                self.succ.setdefault(f.source_ref, []).append(f.target_ref)
        # A boundary event continues from the activity it is attached to.
        for e in doc.elements.values():
            if e.kind == "boundaryEvent" and e.attached_to:
                self.succ.setdefault(e.attached_to, []).append(e.id)
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


def _longest_path(doc: BpmnDocument, weight: Mapping[str, float]) -> float:
    """Largest sum of ``weight`` along any path; back edges of loops are ignored."""
    graph = _Graph(doc)
    nodes = set(graph.succ) | {t for ts in graph.succ.values() for t in ts} | set(weight)
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in sorted(nodes):
        if root in state:
            continue
        stack = [(root, iter(graph.succ.get(root, [])))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(graph.succ.get(nxt, []))))
    best: dict[str, float] = {}
    for node in order:  # post-order: successors first
        tails = [best[t] for t in graph.succ.get(node, []) if (node, t) not in back]
        best[node] = weight.get(node, 0.0) + max(tails, default=0.0)
    return max(best.values(), default=0.0)


def chain_counts(doc: BpmnDocument) -> ChainCounts:
    """Procedures (``procedure`` = true), documents (sum) and statutory working days (longest path)."""
    steps = _steps(doc)
    procedures = sum(1 for e in steps if _flag(doc, e, "procedure"))
    documents = sum(_number(doc, e, "documents") for e in steps)
    limits = {e.id: v for e in steps if (v := _statutory(doc, e)) is not None}
    statutory = round(_longest_path(doc, limits), 2) if limits else None
    return ChainCounts(procedures, int(documents) if documents == int(documents) else documents, statutory)


# --------------------------------------------------------------------------- classifying


def _match(before: list[Element], after: list[Element]) -> dict[str, str]:
    matched: dict[str, str] = {}
    after_ids = {e.id for e in after}
    for b in before:
        if b.id in after_ids:
            matched[b.id] = b.id
    used = set(matched.values())
    for key in (lambda e: _norm(e.name), lambda e: _norm(e.properties.get("name_en", ""))):
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


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,，、;；]", text) if p.strip()]


def _merges(
    after_doc: BpmnDocument, before: list[Element], after: list[Element], matched: dict[str, str]
) -> list[Merge]:
    by_id = {e.id: e for e in before}
    by_name = {_norm(e.name): e.id for e in before if e.name}
    back = {a: b for b, a in matched.items()}
    merges: list[Merge] = []
    taken: set[str] = set()
    for a in after:
        absorbed: list[str] = []
        if a.id in back:
            absorbed.append(back[a.id])
        for ref in _split_list(a.properties.get("merged_from", "")):
            bid = ref if ref in by_id else by_name.get(_norm(ref))
            if bid is None:
                raise ModelError(
                    f'merged_from names "{ref}", which is no step id or name of the before-process',
                    file=str(after_doc.file), element_id=a.id, tag=a.kind, line=a.line,
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


def _parallelised(before_doc: BpmnDocument, after_doc: BpmnDocument, matched: dict[str, str]) -> list[tuple[str, str]]:
    gb, ga = _Graph(before_doc), _Graph(after_doc)
    splits = [
        e.id for e in after_doc.elements.values()
        if e.kind in ("parallelGateway", "inclusiveGateway") and len(ga.succ.get(e.id, [])) >= 2
    ]
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


def diff_processes(before_path: str | Path, after_path: str | Path) -> ProcessDiff:
    """Classify the steps of two variants of a chain (rules in the module docstring)."""
    before_doc, after_doc = parse_bpmn(before_path), parse_bpmn(after_path)
    before, after = _steps(before_doc), _steps(after_doc)
    matched = _match(before, after)
    merges = _merges(after_doc, before, after, matched)
    in_merge_b = {s for m in merges for s in m.sources}
    in_merge_a = {m.target for m in merges}
    # A step absorbed into a merge is no longer a 1:1 match.
    one_to_one = {b: a for b, a in matched.items() if b not in in_merge_b and a not in in_merge_a}
    out = ProcessDiff(Path(before_path), Path(after_path), matched=one_to_one, merged=merges)
    out.removed = [e.id for e in before if e.id not in matched and e.id not in in_merge_b]
    out.added = [e.id for e in after if e.id not in matched.values() and e.id not in in_merge_a]
    out.parallelised = _parallelised(before_doc, after_doc, one_to_one)
    b_el, a_el = before_doc.elements, after_doc.elements
    for b_id, a_id in one_to_one.items():
        b, a = b_el[b_id], a_el[a_id]
        sb, sa = _statutory(before_doc, b), _statutory(after_doc, a)
        if sb is not None and sa is not None and sa < sb - 1e-9:
            out.shortened.append(Change(b_id, a_id, "statutory_limit", round(sb, 4), round(sa, 4)))
        else:
            eb, ea = _effort(before_doc, b), _effort(after_doc, a)
            if eb is not None and ea is not None and ea < eb - 1e-9:
                out.shortened.append(Change(b_id, a_id, "wait+work", round(eb, 4), round(ea, 4)))
        if _flag(after_doc, a, "online") and not _flag(before_doc, b, "online"):
            out.made_online.append(a_id)
    back = {a: b for b, a in one_to_one.items()}
    for a in after:
        if _flag(after_doc, a, "commitment"):
            b_id = back.get(a.id)
            if b_id is None or not _flag(before_doc, b_el[b_id], "commitment"):
                out.commitment.append(a.id)
    out.before_counts = chain_counts(before_doc)
    out.after_counts = chain_counts(after_doc)
    return out


# --------------------------------------------------------------------------- drawing


def render_diff(before_path: str | Path, after_path: str | Path, out_path: str | Path, lang: str = "zh") -> Path:
    """Before and after diagrams (side by side, or stacked when wide), changes coloured, counts below."""
    if lang not in _LABELS:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    text = _LABELS[lang]
    d = diff_processes(before_path, after_path)
    before_doc, after_doc = parse_bpmn(before_path), parse_bpmn(after_path)
    dis: list[DiagramDI] = []
    for doc in (before_doc, after_doc):
        if doc.diagram is None or not doc.diagram.shapes:
            raise ModelError("has no diagram interchange (no bpmndi:BPMNDiagram with shapes), so it cannot be "
                             "drawn; open and save it in bpmn.io / Camunda Modeler", file=str(doc.file))
        dis.append(doc.diagram)
    sizes = [figure_size(di.extent()) for di in dis]
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
                 text["counts"].format(
                     procedures=counts.procedures, documents=counts.documents,
                     statutory=text["no_statutory"] if counts.statutory_workdays is None
                     else text["statutory"].format(days=counts.statutory_workdays)),
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
