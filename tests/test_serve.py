"""reformsim serve without a browser: its JSON endpoints on a real server (uvicorn in a thread).

Bad input must come back as a 4xx with the command line's own message, never a traceback; a save
must stay inside the output folder and parse back; the verdict a lever changes must change.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import PREMISE

import sim
from sim.analysis.assess import assess
from sim.errors import ScenarioError
from sim.i18n import agency_name
from sim.model import legal
from sim.model.scenario import parse_scenario
from sim.web.server import MAX_BODY, start_in_thread
from sim.web.workbench import MAX_PAGE_CASES, Workbench

CHAIN = "company_setup_2021.bpmn"
STAFF_1 = {"agencies": {"market_regulation": {"staff": 1, "source": "assumption: test"}}}
# The staffing premise (tests/conftest.py): the rebuilt 2021 model's waits alone miss T01/T03, so the staff-cut test
# runs on it with the premise's wait cuts sent as the page's edits.
PREMISE_EDITS = yaml.safe_load(Path(PREMISE).read_text(encoding="utf-8"))["edits"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve") / "out"
    workbench = Workbench(out=out)
    url, stop = start_in_thread(workbench)
    yield url, workbench, out
    stop()


def call(url: str, path: str, body: object = None, *, raw: bytes | None = None, headers: dict | None = None):
    """(status, decoded JSON or text) of a GET, or of a POST when ``body``/``raw`` is given."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            status, text, kind = r.status, r.read().decode(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        status, text, kind = e.code, e.read().decode(), e.headers.get("content-type", "")
    return status, json.loads(text) if "json" in kind else text


def verdicts(result: dict) -> dict[str, str]:
    return {r["target"] + r["check"]: r["verdict"] for r in result["rows"]}


def test_chains_are_the_registers_with_catalog_labels(server):
    url, wb, _ = server
    status, data = call(url, "api/chains")
    assert status == 200
    ids = [c["id"] for c in data["chains"]]
    tested = {Path(p).name for _, c in wb.register.tested() if c.test for p in c.test.processes}
    assert set(ids) == tested
    company = next(c for c in data["chains"] if c["id"] == CHAIN)
    assert company["label"] == wb.entry(CHAIN).label_zh
    assert company["targets"] == ["T01", "T02", "T03", "T04"]
    assert call(url, "api/chains?lang=en")[1]["chains"][0]["label"] == wb.entry(ids[0]).label_en


def test_every_lever_switch_is_the_legal_ruling(server):
    """The page offers exactly what sim.model.legal allows, step by step, with the rule's words."""
    url, wb, _ = server
    for cid in (CHAIN, "construction_lowrisk_2021.bpmn"):
        status, chain = call(url, f"api/chains/{cid}")
        assert status == 200
        nodes = {n.id: n for n in wb._process(cid).process.tasks()}
        assert [s["id"] for s in chain["steps"]] == list(nodes)
        for step in chain["steps"]:
            for lever in step["levers"]:
                r = legal.ruling(nodes[step["id"]], lever["verb"])
                assert (lever["allowed"], lever["rule"]) == (r.allowed, r.rule.text("zh")), (cid, step["id"], lever["verb"])
    register = next(s for s in call(url, f"api/chains/{CHAIN}")[1]["steps"] if s["id"] == "t_register")
    assert {v["verb"]: v["allowed"] for v in register["levers"]}["commitment"] is False  # a registration is not committed away


def test_a_staff_cut_changes_the_verdict(server):
    url, _, _ = server
    status, before = call(url, "api/run", {"chain": CHAIN, "scenario": {"edits": PREMISE_EDITS}})
    assert status == 200
    status, after = call(url, "api/run", {"chain": CHAIN, "scenario": {**STAFF_1, "edits": PREMISE_EDITS}})
    assert status == 200
    # T01: the registration step within half a working day; one registrar for the window's demand cannot
    assert verdicts(before)["T01"] == "reachable"
    assert verdicts(after)["T01"] == "not_reachable"
    assert verdicts(before)["T03"] != "not_reachable" and verdicts(after)["T03"] == "not_reachable"
    assert "市场" in after["bottlenecks_html"] or "market_regulation" in after["bottlenecks_html"]
    staff = {a["id"]: a["staff"] for a in call(url, f"api/chains/{CHAIN}")[1]["agencies"]}
    name = agency_name("market_regulation", "zh")  # the plan's 责任单位, not the id
    assert after["changes"] == [*before["changes"], f"{name} 人员 {staff['market_regulation']} → 1"]
    assert len(before["changes"]) == len(PREMISE_EDITS)
    row = next(r for r in after["rows"] if r["target"] == "T01")
    assert row["words"] == "不可达成" and row["reason"].startswith("不可达成")


def test_the_page_judges_as_assess_does(server):
    """Same chain, scenario, cases, replications and seed: the page's verdicts are assess's."""
    url, wb, _ = server
    body = {"chain": CHAIN, "scenario": STAFF_1, "cases": 60, "replications": 3, "seed": 11}
    page = call(url, "api/run", body)[1]
    a = assess(wb._chain_register(wb._rel[CHAIN]), cases=60, replications=3, seed=11,
               scenario=parse_scenario(STAFF_1), scope={wb._rel[CHAIN]})
    assert verdicts(page) == {r.target + r.check: r.verdict for r in a.rows}
    assert [r["share"] for r in page["rows"]] == pytest.approx([None if r.share != r.share else r.share for r in a.rows])


@pytest.mark.parametrize("scenario, where", [
    ({"agencies": {"market_regulation": {"staff": 0, "source": "assumption: x"}}}, "agencies.market_regulation.staff"),
    ({"agencies": {"market_regulation": {"staff": 2}}}, "agencies.market_regulation.source"),
    ({"arrivals": {"rate_per_workday": None, "source": "assumption: x"}}, "arrivals.rate_per_workday"),
    ({"edits": [{"onlne": "t_seal"}]}, "edits[0]"),
    ({"cases": "many"}, "cases"),
])
def test_bad_scenario_gives_the_parsers_message(server, scenario, where):
    url, _, _ = server
    status, data = call(url, "api/run", {"chain": CHAIN, "scenario": scenario})
    assert status == 400
    with pytest.raises(ScenarioError) as cli:
        parse_scenario({"name": "what-if", **scenario}, file="what-if")
    assert data["error"] == str(cli.value)
    assert where in data["error"] and "Traceback" not in data["error"]


def test_a_target_stated_as_an_average_shows_its_mean(server):
    url, wb, _ = server
    chain = "trade_import_2021.bpmn"
    means = {t.id for t in wb.register.targets for c in t.checks if c.test and getattr(c, "statistic", "share") == "mean"
             and chain in {Path(p).name for p in c.test.processes}}
    assert means, "the register judges no mean on the import chain any more: pick another chain for this test"
    rows = call(url, "api/run", {"chain": chain, "scenario": {}, "cases": 50, "replications": 3})[1]["rows"]
    shown = [r for r in rows if r["statistic"] == "mean"]
    assert {r["target"] for r in shown} == means
    assert all(r["mean_lo"] <= r["mean"] <= r["mean_hi"] for r in shown)


def test_a_lever_the_rules_allow_runs_and_is_named_in_the_planners_words(server):
    url, _, _ = server
    status, data = call(url, "api/run", {"chain": CHAIN, "scenario": {"edits": [{"online": "t_seal", "source": "assumption: x"}]},
                                         "lang": "en"})
    assert status == 200, data
    assert data["changes"] == ["make 刻制印章（公安备案的刻章企业） online"]  # the step's name in the model, not its id
    assert data["rows"][0]["words"] in ("reachable", "at risk", "not reachable")


def test_a_lever_the_rules_forbid_is_refused_with_the_rule(server):
    url, _, _ = server
    status, data = call(url, "api/run", {"chain": CHAIN, "scenario": {"edits": [{"commitment": "t_register", "source": "x"}]}})
    assert status == 400
    assert "edits[0].commitment" in data["error"] and "t_register" in data["error"] and "registration_effect" in data["error"]


@pytest.mark.parametrize("body, status, said", [
    ({"chain": "nope.bpmn", "scenario": {}}, 400, "chain: expected one of"),
    ({"chain": "../scenarios/targets.yaml", "scenario": {}}, 400, "chain: expected one of"),
    ({"chain": CHAIN, "scenario": [1]}, 400, "scenario: expected a mapping"),
    ({"chain": CHAIN, "scenario": {"extends": "/etc/passwd"}}, 400, "scenario.extends: not available"),
    ({"chain": CHAIN, "scenario": {"calendar": "/etc/passwd"}}, 400, "scenario.calendar"),
    ({"chain": CHAIN, "scenario": {}, "cases": MAX_PAGE_CASES + 1}, 400, "cases: expected"),
    ({"chain": CHAIN, "scenario": {}, "replications": 0}, 400, "replications: expected"),
    ({"chain": CHAIN, "scenario": {}, "lang": "fr"}, 400, "lang: expected"),
    ([1, 2], 400, "expected a JSON object"),
])
def test_bad_requests_are_located_4xx(server, body, status, said):
    url, _, _ = server
    got, data = call(url, "api/run", body)
    assert (got, said in data["error"]) == (status, True), data


def test_bodies_that_are_not_bounded_json_are_refused(server):
    url, _, _ = server
    assert call(url, "api/run", raw=b"{not json")[0] == 400
    assert call(url, "api/run", raw=b"{}", headers={"Content-Type": "text/plain"})[0] == 415  # a cross-site form cannot send JSON
    big = json.dumps({"chain": CHAIN, "scenario": {"name": "x" * (MAX_BODY + 10)}}).encode()
    status, data = call(url, "api/run", raw=big)
    assert status == 413 and "larger than" in data["error"]
    assert call(url, "api/chains/nope.bpmn")[0] == 400
    for path in ("api/chains?lang=fr", f"api/chains/{CHAIN}?lang=fr", f"api/chains/{CHAIN}/diagram.svg?lang=fr", "api/labels?lang=fr"):
        status, data = call(url, path)
        assert status == 400 and 'lang: expected "zh" or "en"' in data["error"], path  # never a silent default
    assert call(url, "api/chains", headers={"Host": "evil.example"})[0] == 400  # DNS rebinding: another host name


def test_an_internal_error_is_a_500_without_traceback(server, monkeypatch, capsys):
    url, wb, _ = server

    def boom(_data):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(wb, "run", boom)
    status, data = call(url, "api/run", {"chain": CHAIN, "scenario": {}})
    assert status == 500
    assert "internal error (RuntimeError)" in data["error"]
    assert "Traceback" not in data["error"] and "secret detail" not in data["error"]


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", "a\\b", "/etc/x", "x.yaml", ".hidden", "", "a" * 61, "名称 空格", 7])
def test_a_save_name_cannot_leave_the_output_folder(server, name, tmp_path):
    url, _, out = server
    before = sorted(p for p in out.parent.rglob("*"))
    status, data = call(url, "api/save", {"chain": CHAIN, "name": name, "scenario": STAFF_1})
    assert status == 400 and "name: expected a plain name" in data["error"]
    assert sorted(p for p in out.parent.rglob("*")) == before  # nothing written anywhere


def test_a_saved_what_if_parses_back_and_runs_the_same(server):
    url, wb, out = server
    status, data = call(url, "api/save", {"chain": CHAIN, "name": "市场监管_1人", "scenario": STAFF_1})
    assert status == 200, data
    path = Path(data["scenario"])
    assert path == out / "市场监管_1人" / "市场监管_1人.yaml" and path.is_file()
    assert "--root" in data["command"]  # the test's output folder is outside the project: the command says so
    root = data["command"].split("--root ", 1)[1]
    scenario = sim.load_scenario(path, root=root)
    assert scenario.agencies["market_regulation"].staff == 1
    assert Path(scenario.process).resolve() == (wb._root / wb._rel[CHAIN]).resolve()
    page = call(url, "api/run", {"chain": CHAIN, "scenario": STAFF_1, "cases": 50, "replications": 2})[1]
    a = assess(wb._chain_register(wb._rel[CHAIN]), cases=50, replications=2, seed=page["seed"], scenario=scenario,
               scope={wb._rel[CHAIN]})
    assert verdicts(page) == {r.target + r.check: r.verdict for r in a.rows}


def test_a_save_with_report_writes_the_report_and_a_resave_replaces_only_its_files(server):
    url, _, out = server
    status, data = call(url, "api/save", {"chain": CHAIN, "name": "with_report", "scenario": STAFF_1, "report": True,
                                          "cases": 50, "replications": 2})
    assert status == 200, data
    folder = Path(data["folder"])
    assert {"with_report.yaml", "report.html", "assessment.xlsx"} <= set(data["files"])
    assert "不可达成" in (folder / "report.html").read_text(encoding="utf-8")
    (folder / "mine.txt").write_text("the planner's")
    status, data = call(url, "api/save", {"chain": CHAIN, "name": "with_report", "scenario": {}})
    assert status == 200
    assert (folder / "mine.txt").read_text() == "the planner's"
    assert not (folder / "report.html").exists()  # ours and no longer written: the folder holds this save only


def test_a_save_never_writes_into_a_folder_of_the_users(server):
    url, _, out = server
    mine = out / "mine"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("keep")
    status, data = call(url, "api/save", {"chain": CHAIN, "name": "mine", "scenario": {}})
    assert status == 400 and "ReformSim did not write" in data["error"]
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_the_page_and_its_files_are_served(server):
    url, _, _ = server
    status, page = call(url, "")
    assert status == 200 and "/static/app.js" in page
    assert call(url, "static/app.js")[0] == 200
    assert call(url, "static/../workbench.py")[0] == 404
    status, svg = call(url, f"api/chains/{CHAIN}/diagram.svg")
    assert status == 200 and "<svg" in svg and "viewBox" in svg
    assert call(url, "api/labels?lang=en")[1]["labels"]["run"] == "Run"


def test_serve_refuses_bad_arguments_with_exit_2(tmp_path, capsys):
    from sim.cli import main

    with pytest.raises(SystemExit) as exc:  # argparse's own exit, as for every command
        main(["serve", "--port", "70000", "--no-open"])
    assert exc.value.code == 2
    afile = tmp_path / "file"
    afile.write_text("x")
    assert main(["serve", "--out", str(afile), "--no-open", "--port", "0"]) == 2
    assert "this is a file" in capsys.readouterr().err


def test_serve_refuses_a_port_in_use_with_exit_2(capsys):
    import socket

    from sim.cli import main

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        assert main(["serve", "--port", str(taken.getsockname()[1]), "--no-open"]) == 2
    finally:
        taken.close()
    assert "cannot listen there" in capsys.readouterr().err


def test_only_this_machines_names_are_answered_unless_every_interface_is_chosen():
    from sim.web.server import _hosts

    assert _hosts("127.0.0.1") == ("127.0.0.1", "localhost")
    assert _hosts("192.168.1.5") == ("192.168.1.5", "127.0.0.1", "localhost")
    assert _hosts("0.0.0.0") == ("*",)
