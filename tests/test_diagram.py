"""Tests of sim.report.fonts, sim.bpmn.di and sim.report.diagram: CJK font, DI reading, rendering, safe parsing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from matplotlib import font_manager, ft2font

from sim.errors import ModelError
from sim.bpmn.di import read_document, require_diagram
from sim.files import OutputError
from sim.report.diagram import extent, render_diagram
from sim.report.fonts import SAMPLE, cjk_font, covers

DATA = Path(__file__).parent / "data" / "diagram"
REPO = Path(__file__).parent.parent


def read_di(path: Path):  # noqa: ANN201 - the diagram as the one BPMN reader gives it
    return require_diagram(read_document(path))


def _font_file(fp: font_manager.FontProperties) -> ft2font.FT2Font:
    return font_manager.get_font(font_manager.findfont(fp, fallback_to_default=False))


def test_cjk_font_really_covers_chinese() -> None:
    font = _font_file(cjk_font())
    cmap = font.get_charmap()
    assert all(cmap.get(ord(ch), 0) != 0 for ch in "开办企业注册登记" + SAMPLE)


def test_covers_rejects_a_latin_only_font() -> None:
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    assert not covers(dejavu, "开办企业")
    assert covers(dejavu, "abc")


def test_ensure_system_deps_is_idempotent_when_font_present() -> None:
    out = subprocess.run(["bash", str(REPO / "scripts" / "ensure-system-deps.sh")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: CJK font")


def test_read_di_finds_shapes_edges_and_properties() -> None:
    di = read_di(DATA / "chinese_chain.bpmn")
    kinds = {s.id: s.kind for s in di.shapes}
    assert kinds["g_risk"] == "exclusiveGateway"
    assert kinds["g_split"] == "parallelGateway"
    assert kinds["g_opt"] == "inclusiveGateway"
    assert kinds["ev_notice"] == "intermediateCatchEvent"
    register = di.shape("t_register")
    assert register is not None
    assert register.name == "设立登记（注册官审核）"
    assert register.element.label("en") == "Company registration (registrar review)"
    assert register.element.properties["statutory_limit"] == "0.5 workday"
    assert (register.bounds.width, register.bounds.height) == (100, 80)
    timer = di.shape("ev_notice")
    assert timer is not None and timer.element.event_definitions == ("timer",)
    assert len(di.edges) == 15
    assert all(len(e.waypoints) >= 2 for e in di.edges)


def test_read_di_of_a_bpmn_io_collaboration_with_pools_and_lanes() -> None:
    di = read_di(DATA / "collaboration_lanes.bpmn")
    kinds = [s.kind for s in di.shapes]
    # Containers are drawn first so they sit behind their contents.
    assert kinds[:4] == ["participant", "participant", "lane", "lane"]
    assert {s.name for s in di.shapes if s.kind == "lane"} == {"综合窗口", "市场监督管理局"}
    review = di.shape("Activity_Review")
    archive = di.shape("Activity_Archive")
    assert review is not None and review.is_expanded is True
    assert archive is not None and archive.is_expanded is False
    assert {e.kind for e in di.edges} == {"sequenceFlow", "messageFlow", "association"}
    boundary = di.shape("Event_Deadline")
    assert boundary is not None and not boundary.element.cancel_activity


@pytest.mark.parametrize("name", ["chinese_chain.bpmn", "collaboration_lanes.bpmn"])
def test_render_png_is_a_nonempty_image(tmp_path: Path, name: str) -> None:
    out = render_diagram(read_document(DATA / name), tmp_path / "d.png", title="企业开办", highlight={"t_register": "tab:green"})
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank canvas of that size compresses to a few kB


def test_render_svg_draws_chinese_names_with_real_glyphs(tmp_path: Path) -> None:
    out = render_diagram(read_document(DATA / "chinese_chain.bpmn"), tmp_path / "d.svg")
    svg = out.read_text(encoding="utf-8")
    font = _font_file(cjk_font())
    # matplotlib embeds glyphs as <path id="<font>-<glyph index in hex>">; index 0 would be a box.
    glyph_ids = set(re.findall(r'<path id="[^"]+-([0-9a-f]+)"', svg))
    assert "0" not in glyph_ids
    for name in ("设立登记（注册官审核）", "刻制印章", "是否低风险？", "公示期"):
        for ch in name:
            assert f"{font.get_char_index(ord(ch)):x}" in glyph_ids, ch
    # Every shape and its label are addressable by element id, for the HTML report.
    assert 'id="t_register"' in svg and 'id="label-t_register"' in svg


def test_render_english_uses_name_en(tmp_path: Path) -> None:
    zh = render_diagram(read_document(DATA / "chinese_chain.bpmn"), tmp_path / "zh.svg").read_text(encoding="utf-8")
    en = render_diagram(read_document(DATA / "chinese_chain.bpmn"), tmp_path / "en.svg", lang="en").read_text(encoding="utf-8")
    font = _font_file(cjk_font())
    glyph = f"-{font.get_char_index(ord('刻')):x}\""  # only in 刻制印章, which has name_en "Seal engraving"
    assert glyph in zh and glyph not in en


def test_render_rejects_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"d\.jpg: the diagram must end in \.svg or \.png"):
        render_diagram(read_document(DATA / "chinese_chain.bpmn"), tmp_path / "d.jpg")
    assert not list(tmp_path.iterdir())


def test_file_with_doctype_is_refused(tmp_path: Path) -> None:
    text = (DATA / "chinese_chain.bpmn").read_text(encoding="utf-8")
    evil = text.replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
    ).replace('name="刻制印章"', 'name="&x;"')
    path = tmp_path / "evil.bpmn"
    path.write_text(evil, encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read_di(path)
    message = str(info.value)
    assert "evil.bpmn:2" in message and "DOCTYPE" in message


def test_file_without_di_gets_a_clear_error() -> None:
    with pytest.raises(ModelError) as info:
        render_diagram(read_document(DATA / "no_di.bpmn"), Path("/nonexistent/never-written.png"))
    message = str(info.value)
    assert "no_di.bpmn" in message and "no diagram interchange" in message
    # The semantic part of the same file still reads.
    assert "t_apply" in read_document(DATA / "no_di.bpmn").elements


def test_not_bpmn_and_broken_xml_are_named(tmp_path: Path) -> None:
    other = tmp_path / "other.bpmn"
    other.write_text("<root/>", encoding="utf-8")
    with pytest.raises(ModelError, match=r"other\.bpmn.*not a BPMN 2\.0 file"):
        read_di(other)
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<a>\n<b></a>", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken\.bpmn:2: not well-formed XML"):
        read_di(broken)


def test_dangling_di_reference_names_the_shape(tmp_path: Path) -> None:
    text = (DATA / "chinese_chain.bpmn").read_text(encoding="utf-8")
    path = tmp_path / "dangling.bpmn"
    path.write_text(text.replace('bpmnElement="t_seal"', 'bpmnElement="t_missing"'), encoding="utf-8")
    with pytest.raises(ModelError, match=r'BPMNShape id="t_seal_di": DI refers to bpmnElement="t_missing"'):
        read_di(path)


def test_extent_holds_labels_without_label_bounds(tmp_path: Path) -> None:
    text = (DATA / "chinese_chain.bpmn").read_text(encoding="utf-8")
    # Drop every BPMNLabel: the renderer then puts the start event's label under it, wider than it.
    path = tmp_path / "no_labels.bpmn"
    path.write_text(re.sub(r"<bpmndi:BPMNLabel>.*?</bpmndi:BPMNLabel>", "", text, flags=re.DOTALL), encoding="utf-8")
    di = read_di(path)
    start = di.shape("ev_start")
    assert start is not None and start.label_bounds is None
    ext = extent(di, pad=0)
    assert ext.x <= start.bounds.cx - 45 and ext.bottom >= start.bounds.bottom + 20
