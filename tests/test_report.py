"""The HTML report: self-contained images, Chinese labels, CSV and Excel, atomic output."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


from sim.analysis.assess import assess
from sim.analysis.sensitivity import analyse_chains
from sim.report.html import baseline_for, write_report
from sim.targets import load_register

DATA = Path(__file__).parent / "data" / "assess"


def _report(tmp_path: Path, lang: str = "zh") -> Path:
    reg = load_register(DATA / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=DATA)
    a = assess(reg, replications=2, cases=30, seed=1)
    chains = analyse_chains(a, n_steps=1, n_agencies=1, workers=1)  # at the assessment's own precision
    return write_report(a, chains, tmp_path / "out", lang=lang)


def test_report_is_self_contained_with_chinese(tmp_path):
    html = _report(tmp_path).read_text(encoding="utf-8")
    srcs = re.findall(r'<img[^>]*src="([^"]*)"', html)
    assert len(srcs) >= 3 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "可达成" in html or "不可达成" in html or "有风险" in html
    assert "改革前后对比" in html  # the baseline (company_setup_2018_baseline) was found and drawn
    out = tmp_path / "out"
    assert (out / "verdicts.csv").is_file() and (out / "assessment.xlsx").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report-")]  # no temp folder left


def test_baseline_matching():
    assert baseline_for(DATA / "processes" / "company_setup_2021.bpmn").name == "company_setup_2018_baseline.bpmn"
    assert baseline_for(DATA / "targets.yaml") is None


def test_report_in_headless_chromium(tmp_path, chromium):
    html = _report(tmp_path, "en")
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,2000", html.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 1000
