"""Tests of the BPMN writer, its layout, and the process files built by processes/_src/."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from sim.bpmn.layout import layout_process
from sim.bpmn.loader import load_process
from sim.bpmn.writer import NSMAP, to_bpmn_xml, write_bpmn
from sim.bpmn.xml import read_xml
from sim.errors import ModelError
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
OWN = sorted(p for pattern in ("company_setup_*.bpmn", "construction_*.bpmn", "electricity_*.bpmn") for p in PROCESSES.glob(pattern))

# Count targets (max procedures, max documents) of each post-reform model, along every execution.


def _facts(**kw: object) -> TaskFacts:
    for key in ("statutory_limit", "work", "wait"):
        if key in kw:
            kw[key] = parse_duration(str(kw[key]))
    return TaskFacts(**kw)  # type: ignore[arg-type]


@pytest.fixture
def sample() -> Process:
    """Every node kind the writer knows: parallel split, exclusive with default, timers, a loop."""
    nodes = [
        Node("s_1", "start", "申请"),
        Node("t_reg", "task", "设立登记", facts=_facts(
            agency="market_regulation", procedure=True, documents=3, fee=12.5, online=True, statutory_limit="0.5 workday",
            work="triangular(0.5, 1, 2) h", wait="uniform(0.1, 0.4) workday", stage="设立登记", commitment=True,
            source="seed 二(一)1", name_en="Registration")),
        Node("g_par", "parallel", "并行"),
        Node("t_seal", "task", "刻章", facts=_facts(agency="public_security", procedure=True, work="exponential(0.5) h", source="assumption: test")),
        Node("t_tax", "task", "税务", facts=_facts(agency="tax", wait="lognormal(2, 0.5) day", source="assumption: test")),
        Node("g_join", "parallel"),
        Node("g_x", "exclusive", "是否补正", default_flow="f_ok"),
        Node("t_fix", "task", "补正材料", facts=_facts(agency="market_regulation", documents=1, source="assumption: test")),
        Node("tm_notice", "timer", "公示期", timer=parse_duration("20 workday"), facts=TaskFacts(source="assumption: notice")),
        Node("tm_cal", "timer", "等待", timer=parse_duration("3 day")),
        Node("e_1", "end", "完成"),
    ]
    flows = [
        Flow("f1", "s_1", "t_reg"), Flow("f2", "t_reg", "g_par"), Flow("f3", "g_par", "t_seal"), Flow("f4", "g_par", "t_tax"),
        Flow("f5", "t_seal", "g_join"), Flow("f6", "t_tax", "g_join"), Flow("f7", "g_join", "g_x"),
        Flow("f_fix", "g_x", "t_fix", condition="needs_fix and not is_simple"), Flow("f_ok", "g_x", "tm_notice"),
        Flow("f8", "t_fix", "t_reg"), Flow("f9", "tm_notice", "tm_cal"), Flow("f10", "tm_cal", "e_1"),
    ]
    return Process.build("p_sample", "示例流程", nodes, flows, name_en="Sample",
                         defaults={"attribute.needs_fix": "0.2", "attribute.is_simple": "0.5",
                                   "arrivals.rate_per_workday": "10", "source": "assumption: test"})


def test_round_trip_through_loader(sample: Process, tmp_path: Path) -> None:
    path = tmp_path / "sample.bpmn"
    write_bpmn(sample, path)
    back = load_process(path)
    assert set(back.nodes) == set(sample.nodes)
    for nid, node in sample.nodes.items():
        got = back.nodes[nid]
        assert (got.kind, got.name, got.default_flow, got.timer) == (node.kind, node.name, node.default_flow, node.timer), nid
        if node.kind == "task":
            assert got.facts == node.facts, nid
    assert {f.id: (f.source, f.target, f.condition, f.share) for f in back.flows.values()} == {
        f.id: (f.source, f.target, f.condition, f.share) for f in sample.flows.values()}
    assert back.name == sample.name and back.name_en == sample.name_en
    assert {k: v for k, v in back.defaults.items() if k != "name_en"} == dict(sample.defaults)


def test_spiff_parser_sees_the_properties(sample: Process, tmp_path: Path) -> None:
    path = tmp_path / "sample.bpmn"
    write_bpmn(sample, path)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))
    spec = parser.get_spec("p_sample")
    props = spec.task_specs["t_reg"].extensions["properties"]
    assert props["statutory_limit"] == "fixed(0.5) workday"
    assert props["work"] == "triangular(0.5, 1, 2) h"
    assert props["fee"] == "12.5" and props["commitment"] == "true" and props["name_en"] == "Registration"
    assert spec.task_specs["tm_notice"].extensions["properties"]["wait"] == "fixed(20) workday"
    assert spec.task_specs["tm_notice"].event_definition.expression == '"P28D"'
    assert spec.task_specs["tm_cal"].event_definition.expression == '"P3D"'


def test_shares_need_and_carry_a_source(tmp_path: Path) -> None:
    p = Process.build("p_share", "分流", [Node("s_1", "start"), Node("g", "exclusive"), Node("a", "task", facts=_facts(agency="x", source="assumption: t")),
                                         Node("b", "task", facts=_facts(agency="x", source="assumption: t")), Node("j", "exclusive"), Node("e_1", "end")],
                      [Flow("f1", "s_1", "g"), Flow("fa", "g", "a", share=0.3), Flow("fb", "g", "b", share=0.7),
                       Flow("f2", "a", "j"), Flow("f3", "b", "j"), Flow("f4", "j", "e_1")])
    with pytest.raises(ModelError) as err:
        to_bpmn_xml(p)
    assert 'id="fa"' in str(err.value) and "source" in str(err.value)
    xml = to_bpmn_xml(p, flow_sources={"fa": "assumption: t", "fb": "assumption: a reason"})
    # (SpiffWorkflow refuses a non-default exclusive flow without a condition, so this is read as XML.)
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    props = {f.get("id"): {q.get("name"): q.get("value") for q in f.iterfind(".//spiffworkflow:property", NSMAP)}
             for f in root.iterfind(".//bpmn:sequenceFlow", NSMAP)}
    assert props["fa"] == {"share": "0.3", "source": "assumption: t"}
    assert props["fb"] == {"share": "0.7", "source": "assumption: a reason"}
    assert props["f1"] == {}


@pytest.mark.parametrize(("change", "expected"), [
    ({"id": "Start"}, "clashes with SpiffWorkflow"),
    ({"id": "t 1"}, "not a valid XML id"),
    ({"kind": "subprocess"}, 'unknown node kind "subprocess"'),
])
def test_bad_nodes_are_refused_with_the_element_named(change: dict[str, str], expected: str) -> None:
    task = Node(**{"id": "t_1", "kind": "task", **change})  # type: ignore[arg-type]
    p = Process.build("p_bad", "坏", [Node("s_1", "start"), task], [Flow("f1", "s_1", task.id)])
    with pytest.raises(ModelError) as err:
        to_bpmn_xml(p)
    assert expected in str(err.value)
    assert f'id="{task.id}"' in str(err.value)


def test_default_flow_must_leave_the_gateway() -> None:
    p = Process.build("p_bad", "坏", [Node("s_1", "start"), Node("g", "exclusive", default_flow="f1"), Node("e_1", "end")],
                      [Flow("f1", "s_1", "g"), Flow("f2", "g", "e_1")])
    with pytest.raises(ModelError) as err:
        to_bpmn_xml(p)
    assert 'id="g"' in str(err.value) and "not an outgoing flow" in str(err.value)


def test_output_is_deterministic_and_written_atomically(sample: Process, tmp_path: Path) -> None:
    assert to_bpmn_xml(sample) == to_bpmn_xml(sample)
    write_bpmn(sample, tmp_path / "a.bpmn")
    first = (tmp_path / "a.bpmn").read_bytes()
    write_bpmn(sample, tmp_path / "a.bpmn")
    assert (tmp_path / "a.bpmn").read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["a.bpmn"]  # no temporary file left behind


def test_layout_puts_branches_below_and_joins_on_the_split_row(sample: Process) -> None:
    lay = layout_process(sample)
    shapes = lay.shapes
    assert shapes["g_par"].cy == shapes["g_join"].cy == shapes["t_seal"].cy  # main path straight
    assert shapes["t_tax"].cy > shapes["t_seal"].cy  # second branch below
    assert shapes["t_seal"].cx == shapes["t_tax"].cx  # branches start in the same column
    xs = [shapes[n].cx for n in ("s_1", "t_reg", "g_par", "t_seal", "g_join", "g_x", "tm_notice", "tm_cal", "e_1")]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # left to right
    loop = lay.edges["f8"]  # t_fix -> t_reg goes back under the diagram
    assert loop[0][0] > loop[-1][0] and loop[1][1] > max(b.bottom for b in shapes.values())


def _di(path: Path) -> tuple[etree._Element, dict[str, tuple[float, float, float, float]], set[str]]:
    root = read_xml(path).getroot()
    shapes = {}
    for sh in root.iterfind(".//bpmndi:BPMNShape", NSMAP):
        b = sh.find("dc:Bounds", NSMAP)
        shapes[sh.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NSMAP) if len(e.findall("di:waypoint", NSMAP)) >= 2}
    return root, shapes, edges


def test_the_library_exists() -> None:
    names = {p.stem for p in OWN}
    assert {"company_setup_2018_baseline", "company_setup_2021", "construction_lowrisk_2021", "electricity_hv_single_2021"} <= names
    assert {"electricity_lv_residential_2021", "electricity_lv_nonres_no_external_2021", "electricity_lv_nonres_external_simple_2021",
            "electricity_lv_nonres_external_permit_2021"} <= names


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.stem)
def test_generated_file_is_valid_with_full_di(path: Path) -> None:
    root, shapes, edges = _di(path)
    VALIDATOR.validate(root, filename=str(path))  # raises ValidationException when invalid
    proc = root.find("bpmn:process", NSMAP)
    flow_nodes = {el.get("id") for el in proc if isinstance(el.tag, str) and etree.QName(el).localname not in ("sequenceFlow", "extensionElements")}
    flows = {el.get("id") for el in proc.iterfind("bpmn:sequenceFlow", NSMAP)}
    assert flow_nodes == set(shapes)
    assert flows == edges
    assert not {"Start", "End"} & (flow_nodes | flows)
    boxes = list(shapes.items())
    for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in itertools.combinations(boxes, 2):
        assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), f"{a} overlaps {b}"


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.stem)
def test_generated_file_loads_and_every_number_has_a_source(path: Path) -> None:
    p = load_process(path)
    assert p.name and p.name_en and p.defaults.get("source")
    for t in p.tasks():
        assert t.name and t.facts is not None and t.facts.name_en and t.facts.agency, t.id
        assert t.facts.source.strip(), t.id
        assert f"agency.{t.facts.agency}.name" in p.defaults, t.id


def _builders() -> dict[str, Process]:
    """Every chain's builder output, keyed by file name (processes/_src/build_all.py's modules)."""
    sys.path.insert(0, str(PROCESSES / "_src"))
    try:
        import build_all
    finally:
        sys.path.remove(str(PROCESSES / "_src"))
    out: dict[str, Process] = {}
    for module in build_all.BUILDERS:
        if hasattr(module, "build"):
            out.update(module.build())
        elif hasattr(module, "build_all"):
            out.update(module.build_all())
        else:  # company setup: one function per variant
            out.update({p.id: p for p in (module.build_2018_baseline(), module.build_2021())})
    return out


def test_committed_files_match_their_builders() -> None:
    built = _builders()
    assert set(built) == {p.stem for p in PROCESSES.glob("*.bpmn")}
    for name, process in built.items():
        assert to_bpmn_xml(process) == (PROCESSES / f"{name}.bpmn").read_bytes(), f"{name}: run processes/_src/build_all.py"


def test_lowrisk_2021_has_exactly_two_stages() -> None:
    p = load_process(PROCESSES / "construction_lowrisk_2021.bpmn")
    assert {t.facts.stage for t in p.tasks()} == {"施工许可", "竣工验收"}
    assert any(t.facts.commitment for t in p.tasks() if "档案" in t.name)
