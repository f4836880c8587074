"""The trade backtest (sim.analysis.backtest): measures file, design, prediction, and its place in `assess`."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.analysis import backtest as B

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
FAST = {"cases": 80, "replications": 2, "seed": 3}


def _measures_file(tmp_path: Path, edit) -> Path:  # noqa: ANN001 - a function editing the parsed YAML
    data = yaml.safe_load(B.MEASURES_FILE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_bundled_measures_are_assumptions_the_committed_models_are_built_from() -> None:
    import sim

    for spec in B.load_measures().values():
        model = sim.load_process(PROCESSES / spec.model)
        baseline = sim.load_process(PROCESSES / spec.baseline)
        for m in spec.measures:
            assert m.source.startswith("assumption:") and m.effect_source.startswith("assumption:")
            assert m.clause.startswith("二(八)2")
            assert m.share_2020[1] <= m.share_2021[0]  # the plan extends a measure, never rolls it back
            # 2020 middles in the baseline, 2021 middles in the 2021 model, the middle effect in both
            assert float(baseline.defaults[f"attribute.{m.attribute}"]) == pytest.approx(m.mid_2020)
            assert float(model.defaults[f"attribute.{m.attribute}"]) == pytest.approx(m.mid_2021)
            for p in (baseline, model):
                used, usual = p.nodes[m.step].facts.wait.dist.mean, p.nodes[m.usual].facts.wait.dist.mean
                assert used == pytest.approx(usual * m.mid_left, rel=0.01)


@pytest.mark.parametrize("edit, says", [
    (lambda d: d["chains"]["trade_import"]["measures"][0].update(share_2021=[0.8, 0.4]), "low 0.8 is above high 0.4"),
    (lambda d: d["chains"]["trade_import"]["measures"][1].update(share_2020=[0, 1.5]), "measures[1].share_2020[1]: expected a share"),
    (lambda d: d["chains"]["trade_import"]["measures"][0].update(share_2020=[0.3, 0.6]), "above the 2021 range's start 0.4"),
    (lambda d: d["chains"]["trade_import"]["measures"][2]["effect"].update(left=[0, 0.2]), "effect.left: a measure leaves"),
    (lambda d: d["chains"]["trade_export"]["measures"][0].update(source="GACC said so"), "measures[0].source: a number no one"),
    (lambda d: d["chains"]["trade_export"].update(measured="HN.no.such.figure"), "not an id of sim/data/sources.yaml"),
    (lambda d: d["chains"]["trade_export"].pop("model"), "expected keys"),
])
def test_a_bad_measures_file_is_refused_naming_file_and_path(tmp_path: Path, edit, says: str) -> None:  # noqa: ANN001
    path = _measures_file(tmp_path, edit)
    with pytest.raises(B.BacktestError) as err:
        B.load_measures(path)
    assert str(path) in str(err.value) and says in str(err.value)


def test_the_design_is_a_latin_hypercube_inside_every_range() -> None:
    measures = B.load_measures()["trade_import"].measures
    x = B.design(measures, 8, seed=1)
    assert x.shape == (8, 3 * len(measures))  # 2020 share, 2021 share, effect per measure
    for j, (low, high) in enumerate(r for m in measures for r in (m.share_2020, m.share_2021, m.left)):
        assert (x[:, j] >= low).all() and (x[:, j] <= high).all()
        bins = np.floor((x[:, j] - low) / (high - low) * 8).astype(int)
        assert sorted(bins) == list(range(8))  # one point in each eighth of every range
    assert np.array_equal(x, B.design(measures, 8, seed=1))  # same seed, same design


def test_with_no_measure_extended_the_prediction_is_the_measurement_exactly(tmp_path: Path) -> None:
    # 2021 shares = 2020 shares: the two runs of every point are the same process on the same random
    # numbers, so the recalibrated prediction is the 2020 measurement to the last digit.
    def freeze(d: dict) -> None:
        for m in d["chains"]["trade_import"]["measures"]:
            mid = round(sum(m["share_2020"]) / 2, 6)
            m["share_2020"] = m["share_2021"] = [mid, mid]

    spec = B.load_measures(_measures_file(tmp_path, freeze))["trade_import"]
    p = B.predict(spec, PROCESSES, points=3, **FAST)
    assert p.value == p.interval[0] == p.interval[1] == p.measured_2020 == 55.14
    assert p.baseline_mean == p.model_mean


def test_more_adoption_means_shorter_clearance_on_common_random_numbers(tmp_path: Path) -> None:
    def at(share: float) -> float:
        def edit(d: dict) -> None:
            for m in d["chains"]["trade_export"]["measures"]:
                m["share_2021"] = [share, share]
        return B.predict(B.load_measures(_measures_file(tmp_path, edit))["trade_export"], PROCESSES, points=2, **FAST).value

    assert at(0.95) < at(0.65) < at(0.45)


def test_a_chain_with_staff_work_cannot_be_recalibrated_by_ratio(tmp_path: Path) -> None:
    # the ratio holds only for elapsed time; a model with queued staff work is refused, naming the step
    spec = B.load_measures()["trade_import"]
    (tmp_path / spec.baseline).write_bytes((PROCESSES / spec.baseline).read_bytes())
    text = (PROCESSES / spec.model).read_text(encoding="utf-8")
    marker = '<spiffworkflow:property name="wait" value='
    assert marker in text
    text = text.replace(marker, '<spiffworkflow:property name="work" value="triangular(0.1, 0.2, 0.3) h" />'
                        '<spiffworkflow:property name="range.work" value="0.1-0.4 h | test" />' + marker, 1)  # the file ranges its assumptions
    (tmp_path / spec.model).write_text(text, encoding="utf-8")
    with pytest.raises(B.BacktestError, match="staff work"):
        B.predict(spec, tmp_path, points=2, **FAST)


def test_the_prediction_is_inside_its_interval_and_says_how_it_was_made() -> None:
    p = B.predict(B.load_measures()["trade_import"], PROCESSES, points=4, **FAST)
    lo, hi = p.interval
    assert lo <= p.value <= hi and lo < hi < p.measured_2020  # every 2021 share is above every 2020 share
    d = p.as_dict()
    assert d["measured_2020"] == {"value": 55.14, "source": "HN.customs.clearance.2020.import_h"}
    assert "not tuned to any 2021 figure" in d["derivation"]["en"] and "未按任何2021年数字调整" in d["derivation"]["zh"]
    assert len(d["points"]) == 4 and set(d["points"][0]) == {"share_2020", "share_2021", "left", "prediction"}


def test_assess_shows_the_predictions_in_json_and_text() -> None:
    from sim.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["assess", "--json", "--no-report", "--quick"]) == 0
    preds = {p["chain"]: p for p in json.loads(buf.getvalue())["predictions"]}
    assert set(preds) == {"trade_import", "trade_export"}
    for p in preds.values():
        assert p["interval"][0] <= p["value"] <= p["interval"][1] and p["derivation"]["zh"] and p["derivation"]["en"]
    text = B.format_predictions([B.Prediction("trade_export", {"zh": "出口", "en": "export"}, "hours", 1.5, (1.4, 1.6),
                                              1.81, "HN.customs.clearance.2020.export_h", 1.8, 1.5, [], {"zh": "推导", "en": "how"})], "zh")
    assert "预测 1.50 小时，区间 1.40–1.60" in text and "推导" in text


def test_the_report_has_the_prediction_section(tmp_path: Path) -> None:
    # the report's own code path, without the per-chain sections (sensitivity, diagrams) that make it slow
    from sim.analysis.assess import assess
    from sim.report.html import write_report
    from sim.targets import load_register

    a = assess(load_register(ROOT / "scenarios" / "targets.yaml"), replications=2, cases=20, seed=1)
    p = B.predict(B.load_measures()["trade_import"], PROCESSES, points=2, **FAST)
    path = write_report(a, [], tmp_path / "report", lang="zh", diagrams=False, predictions=[p])
    html = path.read_text(encoding="utf-8")
    assert B.TITLE["zh"] in html and "进口整体通关时间" in html and "未按任何2021年数字调整" in html
    assert f"{p.interval[0]:.2f}–{p.interval[1]:.2f}" in html  # the interval, as the table shows it
    assert "预测" in (path.parent / "predictions.csv").read_text(encoding="utf-8")
