"""Draw a BPMN 2.0 process from its diagram interchange (DI) with matplotlib.

Draws what :mod:`sim.bpmn.di` read (the loader keeps it on ``LoadedProcess.document``): pools and
lanes, (sub)processes, tasks, gateways, events, data objects, annotations, sequence and message
flows. Labels are drawn with a Chinese-capable font (:mod:`sim.report.fonts`). Nothing here reads
a file.

Example:
    >>> from pathlib import Path
    >>> from sim.bpmn.loader import load_bpmn
    >>> chain = load_bpmn(Path(__file__).parents[2] / "tests" / "data" / "diagram" / "chinese_chain.bpmn")
    >>> ext = extent(diagram_of(chain))
    >>> ext.width > 0 and ext.height > 0
    True

    ``render_diagram(chain, "out.svg", highlight={"t_register": "tab:green"})`` writes the drawing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib import colors as mcolors
from matplotlib import patches
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..bpmn.di import ACTIVITY_KINDS, EVENT_KINDS, GATEWAY_KINDS, BpmnDocument, Bounds, DiagramDI, Edge, Shape, require_diagram
from ..files import atomic_open, output_file
from ..i18n import FLOW_LABELS_EN
from .fonts import cjk_font

__all__ = [
    "diagram_of",
    "extent",
    "draw_on_axes",
    "render_diagram",
    "figure_size",
    "save_figure",
    "check_figure_path",
    "FIGURE_SUFFIXES",
    "tint",
]

FIGURE_SUFFIXES = (".svg", ".png")  # what save_figure writes; the suffix picks the format


_PX_PER_INCH = 100.0
_PT_PER_UNIT = 72.0 / _PX_PER_INCH
_FONT_PT = 8.0
_MIN_FONT_PT = 5.5
_MIN_LABEL_WIDTH = 90.0  # DI units; external labels narrower than this wrap too often

_INK = "#222222"
_TASK_FILL = "#ffffff"
_POOL_EDGE = "#555555"
# Labels outside shapes get a white backing so a flow passing under them does not cut the glyphs.
_LABEL_BOX = {"fc": "white", "ec": "none", "pad": 0.5, "alpha": 0.85}


def diagram_of(source: Any) -> DiagramDI:
    """The diagram to draw: from a :class:`~sim.bpmn.loader.LoadedProcess` (its ``document``), a
    :class:`~sim.bpmn.di.BpmnDocument` or a :class:`~sim.bpmn.di.DiagramDI`; an error naming the file when
    there is none."""
    if isinstance(source, DiagramDI):
        return source
    doc = getattr(source, "document", source)
    if not isinstance(doc, BpmnDocument):
        raise TypeError(f"expected a loaded process (sim.load_bpmn) or a sim.bpmn.di document, got {type(source).__name__}")
    return require_diagram(doc)


def extent(di: DiagramDI, pad: float = 20.0) -> Bounds:
    """The rectangle holding every shape, label and waypoint of ``di``, plus ``pad``."""
    xs: list[float] = []
    ys: list[float] = []
    for s in di.shapes:
        for b in (s.bounds, s.label_bounds, _outside_label_area(s)):
            if b is not None:
                xs += [b.x, b.right]
                ys += [b.y, b.bottom]
    for e in di.edges:
        xs += [p[0] for p in e.waypoints]
        ys += [p[1] for p in e.waypoints]
    if not xs:
        return Bounds(0, 0, 100, 100)
    return Bounds(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


_LABEL_OUTSIDE = GATEWAY_KINDS | EVENT_KINDS | {
    "dataObjectReference", "dataObject", "dataInput", "dataOutput", "dataStoreReference", "group",
}


def _outside_label_area(s: Shape) -> Bounds | None:
    """Where the renderer may put the label of a shape whose label sits outside it (see ``outside_label``)."""
    if s.kind not in _LABEL_OUTSIDE or not s.name:
        return None
    if s.label_bounds is not None:
        lb = s.label_bounds
        width = max(lb.width, _MIN_LABEL_WIDTH)
        return Bounds(lb.cx - width / 2, lb.y, width, max(lb.height, 14.0))
    b = s.bounds
    width = max(b.width * 2.6, _MIN_LABEL_WIDTH)
    return Bounds(b.cx - width / 2, b.bottom, width, 4 + 2 * 1.25 * _FONT_PT / _PT_PER_UNIT)


# --------------------------------------------------------------------------- drawing


def _text_width(text: str, font_pt: float) -> float:
    """Approximate width in DI units: CJK and full-width characters 1 em, others about 0.55 em."""
    em = font_pt / _PT_PER_UNIT
    return sum(em if _is_wide(ch) else 0.55 * em for ch in text)


def _is_wide(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x2E80 and not (0xFF61 <= code <= 0xFFDC)


_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")
_NO_LINE_END = set("（《「『【(")
_TOKEN = re.compile(r"[A-Za-z0-9_\-./%]+|\s+|.", re.DOTALL)


def _wrap(text: str, width: float, font_pt: float) -> list[str]:
    """Greedy line breaking: between CJK characters anywhere, between Latin words at spaces."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            candidate = line + token
            if line and _text_width(candidate.rstrip(), font_pt) > width and not (
                token[0] in _NO_LINE_START or token.isspace()
            ):
                # An opening bracket moves down with the word it opens.
                carry = ""
                while line and line[-1] in _NO_LINE_END | {" "}:
                    carry, line = line[-1] + carry, line[:-1]
                if line.strip():
                    lines.append(line.rstrip())
                else:
                    carry = line + carry
                line = (carry + token).lstrip()
                # A Latin word wider than the box: cut it by characters.
                while _text_width(line, font_pt) > width and len(line) > 1:
                    cut = max(1, int(len(line) * width / _text_width(line, font_pt)))
                    lines.append(line[:cut])
                    line = line[cut:]
            else:
                line = candidate
        lines.append(line.rstrip())
    return [ln for ln in lines if ln] or [""]


def _fit(text: str, width: float, height: float, font_pt: float = _FONT_PT) -> tuple[list[str], float]:
    """Wrap ``text`` into the box, shrinking the font to a minimum and then cutting with '…'."""
    size = font_pt
    while True:
        lines = _wrap(text, width, size)
        line_h = 1.25 * size / _PT_PER_UNIT
        if len(lines) * line_h <= height or size <= _MIN_FONT_PT:
            break
        size = max(_MIN_FONT_PT, size - 0.5)
    max_lines = max(1, int(height // (1.25 * size / _PT_PER_UNIT)))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines, size


def tint(colour: str, amount: float = 0.8) -> tuple[float, float, float]:
    """``colour`` mixed with white: ``amount`` 0 keeps it, 1 gives white."""
    r, g, b = mcolors.to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def shown_label(element: Any, lang: str) -> str:
    """What a shape or flow shows in ``lang``: its own ``name_en`` in English, else the words of
    :data:`sim.i18n.FLOW_LABELS_EN` for a flow's label, else the name as written."""
    text = element.label(lang)
    if lang == "en" and text == element.name:
        return FLOW_LABELS_EN.get(text, text)
    return text


class _Painter:
    """Draws one diagram on one Axes; y is flipped by the Axes, so DI coordinates go in as they are."""

    def __init__(self, ax: Axes, highlight: Mapping[str, str], lang: str) -> None:
        self.ax = ax
        self.highlight = highlight
        self.lang = lang
        self.font = cjk_font()

    def colours(self, element_id: str, fill: str = _TASK_FILL) -> tuple[object, object, float]:
        colour = self.highlight.get(element_id)
        if colour is None:
            return fill, _INK, 1.2
        return tint(colour, 0.72), colour, 2.4

    def text(self, x: float, y: float, s: str, *, size: float = _FONT_PT, gid: str | None = None, **kw: object) -> None:
        if not s:
            return
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        artist = self.ax.text(x, y, s, fontproperties=self.font, fontsize=size, color=_INK, zorder=6,
                              linespacing=1.15, **kw)
        if gid:
            artist.set_gid(f"label-{gid}")

    def box_text(self, label: str, b: Bounds, pad: float = 5.0, gid: str | None = None) -> None:
        lines, size = _fit(label, b.width - 2 * pad, b.height - 2 * pad)
        self.text(b.cx, b.cy, "\n".join(lines), size=size, gid=gid)

    def outside_label(self, shape: Shape) -> None:
        label = shown_label(shape.element, self.lang)
        if not label:
            return
        if shape.label_bounds is not None:
            lb = shape.label_bounds
            width = max(lb.width, _MIN_LABEL_WIDTH)
            lines, size = _fit(label, width, max(lb.height, 60.0))
            self.text(lb.cx, lb.y, "\n".join(lines), size=size - 0.5, va="top", gid=shape.id, bbox=_LABEL_BOX)
        else:
            b = shape.bounds
            lines, size = _fit(label, max(b.width * 2.6, _MIN_LABEL_WIDTH), 60.0)
            self.text(b.cx, b.bottom + 4, "\n".join(lines), size=size - 0.5, va="top", gid=shape.id, bbox=_LABEL_BOX)

    # --- shapes

    def shape(self, s: Shape) -> None:
        kind = s.kind
        if kind == "participant":
            self.pool(s)
        elif kind == "lane":
            self.pool(s, is_lane=True)
        elif kind in ACTIVITY_KINDS:
            self.activity(s)
        elif kind in GATEWAY_KINDS:
            self.gateway(s)
        elif kind in EVENT_KINDS:
            self.event(s)
        elif kind in ("dataObjectReference", "dataObject", "dataInput", "dataOutput"):
            self.data_object(s)
        elif kind == "dataStoreReference":
            self.data_store(s)
        elif kind == "textAnnotation":
            self.annotation(s)
        elif kind == "group":
            b = s.bounds
            self.ax.add_patch(patches.FancyBboxPatch((b.x, b.y), b.width, b.height,
                              boxstyle="round,pad=0,rounding_size=8", fill=False, ls=(0, (6, 3, 1, 3)),
                              ec="#777777", lw=1, zorder=1))
            self.outside_label(s)
        else:  # unknown kind: a plain box, so nothing in the file silently disappears
            self.activity(s)

    def pool(self, s: Shape, is_lane: bool = False) -> None:
        b = s.bounds
        fill, edge, lw = self.colours(s.id, "#fafafa" if not is_lane else "none")
        band = 30.0
        rect = patches.Rectangle((b.x, b.y), b.width, b.height, fc=fill, ec=_POOL_EDGE if edge == _INK else edge,
                                 lw=1.0 if edge == _INK else lw, zorder=0.1 if not is_lane else 0.2)
        rect.set_gid(s.id)
        self.ax.add_patch(rect)
        label = shown_label(s.element, self.lang)
        if s.is_horizontal:
            self.ax.add_line(Line2D([b.x + band, b.x + band], [b.y, b.bottom], color=_POOL_EDGE, lw=0.8, zorder=0.3))
            lines, size = _fit(label, b.height - 8, band - 4)
            self.text(b.x + band / 2, b.cy, "\n".join(lines), size=size, rotation=90, gid=s.id)
        else:
            self.ax.add_line(Line2D([b.x, b.right], [b.y + band, b.y + band], color=_POOL_EDGE, lw=0.8, zorder=0.3))
            lines, size = _fit(label, b.width - 8, band - 4)
            self.text(b.cx, b.y + band / 2, "\n".join(lines), size=size, gid=s.id)

    def activity(self, s: Shape) -> None:
        b = s.bounds
        kind = s.kind
        fill, edge, lw = self.colours(s.id)
        is_container = kind in ("subProcess", "transaction", "adHocSubProcess")
        expanded = is_container and (s.is_expanded is not False) and (b.width > 160 or b.height > 120)
        if expanded and s.id not in self.highlight:
            fill = "none"
        if kind == "callActivity":
            lw = max(lw, 3.0)
        patch = patches.FancyBboxPatch((b.x, b.y), b.width, b.height, boxstyle="round,pad=0,rounding_size=10",
                                       fc=fill, ec=edge, lw=lw, zorder=1.5 if expanded else 4)
        patch.set_gid(s.id)
        self.ax.add_patch(patch)
        if kind == "transaction":
            inner = patches.FancyBboxPatch((b.x + 3, b.y + 3), b.width - 6, b.height - 6,
                                           boxstyle="round,pad=0,rounding_size=8", fill=False, ec=edge, lw=1,
                                           zorder=1.6 if expanded else 4.1)
            self.ax.add_patch(inner)
        label = shown_label(s.element, self.lang)
        if expanded:
            lines, size = _fit(label, b.width - 12, 40)
            self.text(b.x + 8, b.y + 6, "\n".join(lines), size=size, ha="left", va="top", gid=s.id)
            return
        marker_h = 14.0 if is_container else 0.0
        icon_h = 10.0 if kind == "userTask" else 0.0  # keep the text clear of the type icon
        self.box_text(label, Bounds(b.x, b.y + icon_h, b.width, b.height - marker_h - icon_h), gid=s.id)
        if is_container:  # collapsed: the [+] marker
            m = 10.0
            self.ax.add_patch(patches.Rectangle((b.cx - m / 2, b.bottom - m - 3), m, m, fill=False, ec=edge,
                                                lw=0.9, zorder=4.2))
            self.ax.add_line(Line2D([b.cx - 3, b.cx + 3], [b.bottom - 3 - m / 2] * 2, color=edge, lw=0.9, zorder=4.3))
            self.ax.add_line(Line2D([b.cx, b.cx], [b.bottom - m - 1, b.bottom - 5], color=edge, lw=0.9, zorder=4.3))
        if kind == "userTask":
            self._user_icon(b.x + 9, b.y + 9, edge)

    def _user_icon(self, x: float, y: float, colour: object) -> None:
        self.ax.add_patch(patches.Circle((x, y - 1.5), 2.6, fill=False, ec=colour, lw=0.8, zorder=4.3))
        self.ax.add_patch(patches.Arc((x, y + 6), 10, 8, theta1=180, theta2=360, ec=colour, lw=0.8, zorder=4.3))

    def gateway(self, s: Shape) -> None:
        b = s.bounds
        fill, edge, lw = self.colours(s.id)
        cx, cy, hw, hh = b.cx, b.cy, b.width / 2, b.height / 2
        diamond = patches.Polygon([(cx, b.y), (b.right, cy), (cx, b.bottom), (b.x, cy)], closed=True,
                                  fc=fill, ec=edge, lw=lw, zorder=4)
        diamond.set_gid(s.id)
        self.ax.add_patch(diamond)
        r = min(hw, hh) * 0.42
        mark = dict(color=edge, lw=2.6, zorder=4.5, solid_capstyle="butt")
        if s.kind == "exclusiveGateway":
            d = r * 0.78
            self.ax.add_line(Line2D([cx - d, cx + d], [cy - d, cy + d], **mark))
            self.ax.add_line(Line2D([cx - d, cx + d], [cy + d, cy - d], **mark))
        elif s.kind == "parallelGateway":
            self.ax.add_line(Line2D([cx - r, cx + r], [cy, cy], **mark))
            self.ax.add_line(Line2D([cx, cx], [cy - r, cy + r], **mark))
        elif s.kind == "inclusiveGateway":
            self.ax.add_patch(patches.Circle((cx, cy), r, fill=False, ec=edge, lw=2.2, zorder=4.5))
        elif s.kind == "eventBasedGateway":
            self.ax.add_patch(patches.Circle((cx, cy), r, fill=False, ec=edge, lw=0.9, zorder=4.5))
            self.ax.add_patch(patches.Circle((cx, cy), r * 0.8, fill=False, ec=edge, lw=0.9, zorder=4.5))
            self.ax.add_patch(patches.RegularPolygon((cx, cy), 5, radius=r * 0.5, fill=False, ec=edge, lw=0.9,
                                                     orientation=math.pi, zorder=4.5))
        elif s.kind == "complexGateway":
            for angle in (0, 45, 90, 135):
                dx, dy = r * math.cos(math.radians(angle)), r * math.sin(math.radians(angle))
                self.ax.add_line(Line2D([cx - dx, cx + dx], [cy - dy, cy + dy], **mark))
        self.outside_label(s)

    def event(self, s: Shape) -> None:
        b = s.bounds
        fill, edge, lw = self.colours(s.id)
        cx, cy, r = b.cx, b.cy, min(b.width, b.height) / 2
        style = "-" if s.element.cancel_activity else (0, (3, 2))
        if s.kind == "endEvent":
            lw = max(lw, 3.2)
        outer = patches.Circle((cx, cy), r, fc=fill, ec=edge, lw=lw, ls=style, zorder=4.6)
        outer.set_gid(s.id)
        self.ax.add_patch(outer)
        if s.kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            self.ax.add_patch(patches.Circle((cx, cy), r - 3, fill=False, ec=edge, lw=1.0, ls=style, zorder=4.7))
        defs = s.element.event_definitions
        throwing = s.kind in ("endEvent", "intermediateThrowEvent")
        if "timer" in defs:
            self._clock(cx, cy, r - 6.5, edge)
        elif "message" in defs:
            self._envelope(cx, cy, r * 0.95, edge, filled=throwing)
        elif "terminate" in defs:
            self.ax.add_patch(patches.Circle((cx, cy), r * 0.55, fc=edge, ec=edge, zorder=4.8))
        elif "error" in defs or "escalation" in defs or "signal" in defs or "conditional" in defs:
            self.ax.add_patch(patches.RegularPolygon((cx, cy), 3, radius=r * 0.5, fc=edge if throwing else "none",
                                                     ec=edge, lw=1.0, zorder=4.8))
        self.outside_label(s)

    def _clock(self, cx: float, cy: float, r: float, colour: object) -> None:
        self.ax.add_patch(patches.Circle((cx, cy), r, fc="white", ec=colour, lw=1.1, zorder=4.8))
        for k in range(12):
            a = math.radians(30 * k)
            inner = r * (0.72 if k % 3 == 0 else 0.82)
            self.ax.add_line(Line2D([cx + inner * math.cos(a), cx + r * math.cos(a)],
                                    [cy + inner * math.sin(a), cy + r * math.sin(a)], color=colour, lw=0.6, zorder=4.9))
        # Hands at ten past two; y grows downwards, so "up" is -y.
        self.ax.add_line(Line2D([cx, cx + r * 0.35], [cy, cy - r * 0.45], color=colour, lw=1.0, zorder=4.9))
        self.ax.add_line(Line2D([cx, cx + r * 0.62], [cy, cy + r * 0.1], color=colour, lw=1.0, zorder=4.9))

    def _envelope(self, cx: float, cy: float, r: float, colour: object, filled: bool) -> None:
        w, h = r * 1.0, r * 0.68
        self.ax.add_patch(patches.Rectangle((cx - w / 2, cy - h / 2), w, h, fc=colour if filled else "white",
                                            ec=colour, lw=0.9, zorder=4.8))
        self.ax.add_line(Line2D([cx - w / 2, cx, cx + w / 2], [cy - h / 2, cy + h * 0.1, cy - h / 2],
                                color="white" if filled else colour, lw=0.9, zorder=4.9))

    def data_object(self, s: Shape) -> None:
        b = s.bounds
        fill, edge, lw = self.colours(s.id)
        fold = min(10.0, b.width / 3)
        pts = [(b.x, b.y), (b.right - fold, b.y), (b.right, b.y + fold), (b.right, b.bottom), (b.x, b.bottom)]
        self.ax.add_patch(patches.Polygon(pts, closed=True, fc=fill, ec=edge, lw=lw, zorder=4))
        self.ax.add_line(Line2D([b.right - fold, b.right - fold, b.right], [b.y, b.y + fold, b.y + fold],
                                color=edge, lw=0.8, zorder=4.1))
        self.outside_label(s)

    def data_store(self, s: Shape) -> None:
        b = s.bounds
        fill, edge, lw = self.colours(s.id)
        e = min(10.0, b.height / 4)
        self.ax.add_patch(patches.Rectangle((b.x, b.y + e / 2), b.width, b.height - e, fc=fill, ec="none", zorder=4))
        for y in (b.y + e / 2, b.bottom - e / 2):
            self.ax.add_patch(patches.Ellipse((b.cx, y), b.width, e, fc=fill, ec=edge, lw=lw, zorder=4.1))
        self.ax.add_line(Line2D([b.x, b.x], [b.y + e / 2, b.bottom - e / 2], color=edge, lw=lw, zorder=4.1))
        self.ax.add_line(Line2D([b.right, b.right], [b.y + e / 2, b.bottom - e / 2], color=edge, lw=lw, zorder=4.1))
        self.outside_label(s)

    def annotation(self, s: Shape) -> None:
        b = s.bounds
        self.ax.add_line(Line2D([b.x + 12, b.x, b.x, b.x + 12], [b.y, b.y, b.bottom, b.bottom], color="#666666",
                                lw=1.0, zorder=4))
        lines, size = _fit(shown_label(s.element, self.lang), b.width - 8, b.height - 4)
        self.text(b.x + 5, b.cy, "\n".join(lines), size=size, ha="left", gid=s.id)

    # --- edges

    def edge(self, e: Edge) -> None:
        pts = e.waypoints
        colour = self.highlight.get(e.id, _INK if e.kind == "sequenceFlow" else "#555555")
        lw = 2.2 if e.id in self.highlight else 1.1
        style = {"sequenceFlow": "-", "messageFlow": (0, (5, 3)), "association": (0, (1.5, 2.5))}.get(e.kind, "-")
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        line = Line2D(xs, ys, color=colour, lw=lw, ls=style, zorder=3, solid_joinstyle="miter")
        line.set_gid(e.id)
        self.ax.add_line(line)
        if e.kind in ("sequenceFlow", "messageFlow") or (e.kind == "association"
                                                          and e.element.properties.get("direction") == "One"):
            (x0, y0), (x1, y1) = pts[-2], pts[-1]
            self._arrowhead(x0, y0, x1, y1, colour, filled=e.kind == "sequenceFlow")
        if e.kind == "messageFlow":
            self.ax.add_patch(patches.Circle(pts[0], 3.5, fc="white", ec=colour, lw=1.0, zorder=3.1))
        label = shown_label(e.element, self.lang)
        if label:
            if e.label_bounds is not None:
                lb = e.label_bounds
                lines, size = _fit(label, max(lb.width, 60.0), max(lb.height, 30.0))
                self.text(lb.cx, lb.cy, "\n".join(lines), size=size - 1, gid=e.id,
                          bbox=_LABEL_BOX)
            else:
                # Middle of the longest segment, nudged off the line so the text does not sit on it.
                seg = max(range(len(pts) - 1), key=lambda i: math.dist(pts[i], pts[i + 1]))
                mx = (pts[seg][0] + pts[seg + 1][0]) / 2
                my = (pts[seg][1] + pts[seg + 1][1]) / 2
                horizontal = abs(pts[seg][1] - pts[seg + 1][1]) < abs(pts[seg][0] - pts[seg + 1][0])
                lines, size = _fit(label, 80.0, 30.0)
                self.text(mx + (0 if horizontal else 4), my - (4 if horizontal else 0), "\n".join(lines),
                          size=size - 1, ha="center" if horizontal else "left", va="bottom" if horizontal else "center",
                          gid=e.id, bbox=_LABEL_BOX)

    def _arrowhead(self, x0: float, y0: float, x1: float, y1: float, colour: object, filled: bool) -> None:
        length, half = 10.0, 4.0
        d = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        bx, by = x1 - ux * length, y1 - uy * length
        pts = [(x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
        self.ax.add_patch(patches.Polygon(pts, closed=True, fc=colour if filled else "white", ec=colour, lw=1.0,
                                          zorder=3.2))


def draw_on_axes(
    ax: Axes,
    di: DiagramDI,
    *,
    highlight: Mapping[str, str] | None = None,
    lang: str = "zh",
) -> None:
    """Draw ``di`` on ``ax`` in DI coordinates (y flipped), without axis frame or ticks.

    ``highlight`` maps element ids to matplotlib colours: the shape gets a tinted fill and a
    thick outline of that colour (an edge gets that colour).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    painter = _Painter(ax, dict(highlight or {}), lang)
    for shape in di.shapes:
        painter.shape(shape)
    for edge in di.edges:
        painter.edge(edge)
    ext = extent(di)
    ax.set_xlim(ext.x, ext.right)
    ax.set_ylim(ext.bottom, ext.y)  # DI y grows downwards
    ax.set_aspect("equal")
    ax.set_axis_off()


def figure_size(ext: Bounds, scale: float = 1.0) -> tuple[float, float]:
    """Inches for a diagram of this extent at 100 DI units per inch (see ``_PX_PER_INCH``)."""
    return ext.width / _PX_PER_INCH * scale, ext.height / _PX_PER_INCH * scale


def check_figure_path(out_path: str | Path) -> Path:
    """``out_path`` checked as a place for a diagram (:data:`FIGURE_SUFFIXES`, folder exists and takes files).

    Commands call it before their work; :func:`save_figure` calls it again.
    """
    return output_file(out_path, what="diagram", suffixes=FIGURE_SUFFIXES)


def save_figure(fig: Figure, out_path: Path) -> Path:
    """Save as SVG or PNG by suffix, atomically, without timestamps so the same input gives the same file."""
    out_path = check_figure_path(out_path)
    fmt = out_path.suffix.lower().lstrip(".")
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    # Through a temporary file: a full disk or a crash leaves the old diagram or none, never a torn one.
    with atomic_open(out_path, "wb") as fh:
        # 150 dpi keeps 8 pt CJK strokes legible in PNG; SVG is resolution independent.
        fig.savefig(fh, format=fmt, dpi=150, metadata=metadata, facecolor="white")
    return out_path


def render_diagram(
    process: Any,
    out_path: str | Path,
    *,
    highlight: dict[str, str] | None = None,
    title: str | None = None,
    lang: str = "zh",
) -> Path:
    """Draw a loaded process (or a document of :mod:`sim.bpmn.di`) to ``out_path`` (``.svg`` or ``.png``)."""
    di = diagram_of(process)
    out_path = Path(out_path)
    ext = extent(di)
    title_h = 0.45 if title else 0.0
    w, h = figure_size(ext)
    fig = Figure(figsize=(w, h + title_h))
    ax = fig.add_axes((0, 0, 1, h / (h + title_h)))
    draw_on_axes(ax, di, highlight=highlight, lang=lang)
    if title:
        fig.text(0.5, 1 - (title_h / 2) / (h + title_h), title, ha="center", va="center",
                 fontproperties=cjk_font(), fontsize=12, fontweight="bold")
    return save_figure(fig, out_path)
