"""Chinese first, everywhere (issue 16, item 1): one label table (sim.i18n), --lang on every command, no English
left on a Chinese page or console, agencies by the names the plan writes, diagrams translated both ways.

The English finder reads the text a planner sees and keeps every Latin word that is not an id, a file name or a
number or an option (``--lever``; a word with a digit, ``_``, ``.`` or ``/`` in it: ``T03``, ``t_register``, ``gas_2021.bpmn``, a YAML path,
a clause code such as ``CN.target.registering_property.2019``), not quoted from a model file (``<cite>``: the
sources a number rests on, as written there) and not in ALLOWED below.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SC = ROOT / "scenarios"

# The Latin tokens a Chinese page may show: statistics and units as planners write them, names of tools and
# methods, the A/B of a comparison, the values a planner types for --executor, and UKEY (the plan's own word: 税务UKEY).
ALLOWED = frozenset({"P50", "P80", "P95", "A", "B", "ReformSim", "Welch", "Excel", "t", "s", "n", "h", "DB",
                     "compiled", "fast", "spiff", "UKEY"})


def english_words(text: str, *, page: bool = False) -> dict[str, str]:
    """Each English word left in ``text`` with a little context (an HTML page: its visible text only)."""
    if page:
        text = re.sub(r"<style>.*?</style>|<cite>.*?</cite>|<title>.*?</title>", " ", text, flags=re.S)
        text = re.sub(r'src="[^"]*"', " ", text)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    found: dict[str, str] = {}
    for m in re.finditer(r"[A-Za-z][A-Za-z0-9_.\-/:]*", text):
        word = m.group(0).rstrip(".:-/")
        if re.search(r"[0-9_./:]", word) or word in ALLOWED or text[max(0, m.start() - 2):m.start()] == "--":  # an option
            continue
        found.setdefault(word, text[max(0, m.start() - 40):m.end() + 40])
    return found


def test_english_finder_finds_english_and_lets_ids_pass() -> None:
    words = english_words("<p>T03 可达成 in gas_2021.bpmn (P95), mean queue <cite>assumption: x</cite></p>", page=True)
    assert set(words) == {"in", "mean", "queue"}


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


# -- the Must reach: `reformsim assess --lang zh`, report and console ----------------------------------------

@pytest.fixture(scope="module")
def assessed_zh(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("assess_zh") / "out"
    code, console = _cli("assess", "--quick", "--lang", "zh", "--out", str(out))
    assert code == 0
    return (out / "report.html").read_text(encoding="utf-8"), console


def test_assess_zh_report_has_no_english_header_or_note(assessed_zh: tuple[str, str]) -> None:
    page, _ = assessed_zh
    assert "评估结论" in page and "<th>目标</th>" in page  # the page is there, headed in Chinese
    left = english_words(page, page=True)
    assert not left, "English on the Chinese report: " + "; ".join(f"{w!r} in …{c}…" for w, c in list(left.items())[:20])


def test_assess_zh_console_has_no_english(assessed_zh: tuple[str, str]) -> None:
    _, console = assessed_zh
    assert "结论" in console
    left = english_words(console)
    assert not left, "English on the Chinese console: " + "; ".join(f"{w!r} in …{c}…" for w, c in list(left.items())[:20])


def test_assess_zh_shows_agencies_by_the_plans_names(assessed_zh: tuple[str, str]) -> None:
    page, _ = assessed_zh
    assert "省市场监管局" in page and "海南电网公司" in page
    assert "<td>market_regulation</td>" not in page and "<td>grid</td>" not in page


# -- run, compare, sweep on the console ------------------------------------------------------------------------

def test_run_console_in_chinese_and_english() -> None:
    code, zh = _cli("run", str(ROOT / "processes" / "company_setup_2021.bpmn"), "--replications", "2", "--cases", "30")
    assert code == 0 and "省市场监管局" in zh and "每件" in zh  # zh is the default
    assert not english_words(zh), english_words(zh)
    code, en = _cli("run", str(ROOT / "processes" / "company_setup_2021.bpmn"), "--replications", "2", "--cases", "30",
                    "--lang", "en")
    assert code == 0 and "per case" in en and "Provincial Tax Service" in en and "utilisation" in en


def test_a_what_if_run_names_its_measures_in_chinese() -> None:
    code, zh = _cli("run", str(SC / "whatif_online_filing.yaml"), "--replications", "1", "--cases", "20")
    assert code == 0 and "改革措施：t_filing 全程网办" in zh  # the edit's note, by the lever's label
    assert not english_words(zh), english_words(zh)


def test_compare_console_in_chinese(tmp_path: Path) -> None:
    code, text = _cli("compare", str(SC / "company_setup_2018_baseline.yaml"), str(SC / "company_setup_2021.yaml"),
                      "--replications", "2", "--cases", "30", "--out", str(tmp_path / "o"), "--lang", "zh")
    assert code == 0 and "变化的95%区间" in text and "本链目标" in text
    assert not english_words(text), english_words(text)


def test_sweep_console_in_chinese(tmp_path: Path) -> None:
    code, text = _cli("sweep", str(SC / "company_setup_2021.yaml"), "--lever", "agencies.market_regulation.staff=2..3@1",
                      "--target", "T03", "--replications", "2", "--cases", "30", "--out", str(tmp_path / "s"))
    assert code == 0 and "最低成本可达成点" in text
    assert not english_words(text), english_words(text)


# -- English when asked -----------------------------------------------------------------------------------------

def test_lang_en_gives_english_headers(tmp_path: Path) -> None:
    from sim.analysis.assess import assess
    from sim.analysis.sensitivity import analyse_chains
    from sim.report.html import write_report
    from sim.targets import load_register

    data = ROOT / "tests" / "data" / "assess"
    a = assess(load_register(data / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=data), replications=2, cases=30,
               seed=1)
    page = write_report(a, analyse_chains(a, n_steps=1, n_agencies=1, workers=1), tmp_path / "en", lang="en",
                        diagrams=False).read_text(encoding="utf-8")
    heads = set(re.findall(r"<th>([^<]*)</th>", page))
    assert {"target", "verdict", "share meeting", "reason", "agency", "staff", "mean queue (open hours)"} <= heads
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in heads), heads
    assert "Provincial Market Regulation Administration" in page and "省市场监管局" not in page


def test_every_command_takes_lang_and_defaults_to_chinese() -> None:
    from sim.cli import COMMANDS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert len(sub.choices) == len(COMMANDS)
    for name in sub.choices:
        option = next((a for a in sub.choices[name]._actions if "--lang" in a.option_strings), None)
        assert option is not None, f"{name} has no --lang"
        assert option.default == "zh" and tuple(option.choices) == ("zh", "en")
        assert re.search(r"[\u4e00-\u9fff]", sub.choices[name].description or ""), f"{name}: no Chinese description"


# -- one label table ------------------------------------------------------------------------------------------

def _same_keys(zh: object, en: object, where: str) -> None:
    if isinstance(zh, dict):
        assert isinstance(en, dict) and set(zh) == set(en), f"{where}: {set(zh) ^ set(en)}"
        for k in zh:
            _same_keys(zh[k], en[k], f"{where}.{k}")
    else:
        assert type(zh) is type(en), where


def test_every_table_has_the_same_labels_in_both_languages() -> None:
    from sim import i18n

    tables = [name for name in i18n.__all__ if isinstance(getattr(i18n, name), dict) and set(getattr(i18n, name)) == {"zh", "en"}]
    assert {"REPORT", "BOTTLENECKS", "COMPARE", "SWEEP", "RUN", "ASSESS", "VERDICTS", "METRICS", "ROBUSTNESS"} <= set(tables)
    for name in tables:
        table = getattr(i18n, name)
        _same_keys(table["zh"], table["en"], name)


def test_modules_use_the_one_table() -> None:
    from sim import i18n
    from sim.analysis import assess, bottlenecks
    from sim.report import html as report
    from sim.whatif import compare, sweep

    assert report.LABELS is i18n.REPORT and bottlenecks.PART_LABELS is i18n.PARTS
    assert compare._TEXT is i18n.COMPARE and sweep._TEXT is i18n.SWEEP and assess._VERDICT_WORDS is i18n.VERDICTS
    assert assess.verdict_words("at_risk") == i18n.VERDICTS["zh"]["at_risk"]
    assert report._ROBUST is i18n.ROBUSTNESS  # the robustness section's words (and the classes a sentence names)


# -- agencies --------------------------------------------------------------------------------------------------

def _scenario(tmp_path: Path, agencies: str) -> Path:
    (tmp_path / "company_setup_2021.bpmn").write_bytes((ROOT / "processes" / "company_setup_2021.bpmn").read_bytes())
    path = tmp_path / "s.yaml"
    path.write_text(f"process: company_setup_2021.bpmn\nagencies:\n{agencies}", encoding="utf-8")
    return path


def test_a_scenario_names_an_agency_by_its_chinese_name_or_its_id(tmp_path: Path) -> None:
    import sim

    by_name = sim.load_scenario(_scenario(tmp_path, '  省市场监管局: {staff: 3, source: "assumption: test"}\n'))
    assert by_name.agencies["market_regulation"].staff == 3
    by_id = sim.load_scenario(_scenario(tmp_path, '  market_regulation: {staff: 3, source: "assumption: test"}\n'))
    assert by_id.agencies == by_name.agencies


def test_an_agency_given_twice_is_refused(tmp_path: Path) -> None:
    import sim
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="given twice"):
        sim.load_scenario(_scenario(tmp_path, '  省市场监管局: {staff: 3, source: "assumption: a"}\n'
                                              '  market_regulation: {staff: 4, source: "assumption: b"}\n'))


def test_an_unknown_agency_lists_the_valid_ones_by_name_and_id(tmp_path: Path) -> None:
    code_text = io.StringIO()
    with contextlib.redirect_stderr(code_text):
        code = main(["run", str(_scenario(tmp_path, '  海南电网公司: {staff: 3, source: "assumption: test"}\n')),
                     "--replications", "1", "--cases", "10"])
    message = code_text.getvalue()
    assert code == 2 and "agencies.grid" in message and "海南电网公司" in message
    assert "省市场监管局 (market_regulation)" in message and "省税务局 (tax)" in message


# -- register texts in both languages ---------------------------------------------------------------------------

def test_register_texts_take_both_languages_and_refuse_a_half_mapping(tmp_path: Path) -> None:
    from sim.errors import ScenarioError
    from sim.i18n import say
    from sim.targets import load_register

    reg = load_register(SC / "targets.yaml")
    check = reg["T13"].checks[0]
    assert check.name == "steps" and say(check.name, "zh") == "环节数"  # the English stays the name (ids, --check)
    assert say(reg["C01"].checks[0].not_simulated, "zh").startswith("贷款规模")
    data = ROOT / "tests" / "data" / "assess"
    text = (data / "targets.yaml").read_text(encoding="utf-8").replace("test: {process: processes/company_setup_2021.bpmn, "
                                                                         "metric: fee}",
                                                                         "note: {zh: 只有中文}\n    test: {process: "
                                                                         "processes/company_setup_2021.bpmn, metric: fee}")
    (tmp_path / "processes").mkdir()
    for f in (data / "processes").iterdir():
        (tmp_path / "processes" / f.name).write_bytes(f.read_bytes())
    (tmp_path / "targets.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"targets\[1\] \(T04\)\.note: expected text, or \{zh"):
        load_register(tmp_path / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=tmp_path)


# -- diagrams ---------------------------------------------------------------------------------------------------

def test_diagram_labels_translate_both_ways() -> None:
    from sim.bpmn.di import read_document
    from sim.report.diagram import shown_label

    cjk = re.compile(r"[\u4e00-\u9fff]")
    for path in sorted((ROOT / "processes").glob("*.bpmn")):
        for e in read_document(path).elements.values():
            if e.name:
                assert not cjk.search(shown_label(e, "en")), f"{path.name} {e.id}: {shown_label(e, 'en')}"
                assert cjk.search(shown_label(e, "zh")), f"{path.name} {e.id}: {shown_label(e, 'zh')}"
