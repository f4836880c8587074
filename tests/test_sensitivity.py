"""sim.analysis.sensitivity: only legal levers are proposed, excluded levers never are, and every
effect is measured at the verdict's own precision with an interval."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis.assess import assess, share_meeting
from sim.analysis.bottlenecks import chain_bottlenecks
from sim.analysis.sensitivity import (FASTER, RECHECK_OFFSET, SLOWER, Ranked, analyse_chains, greedy_fix, propose,
                                      rank_changes, replication_shares)
from sim.model import legal
from sim.model.levers import Commitment, Online, Scale
from sim.model.scenario import parse_scenario
from sim.targets import Threshold, load_register

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "processes").glob("*.bpmn"))
DATA = ROOT / "tests" / "data" / "assess"
FIXTURE = DATA / "processes" / "company_setup_2021.bpmn"  # a copy without step kinds: every step unclassified


@pytest.fixture(scope="module")
def bundled_runs():
    return {p.stem: sim.simulate(p, cases=40, replications=2, seed=5) for p in BUNDLED}


def test_no_proposed_lever_outside_the_steps_allowed_set(bundled_runs):
    # Every step of every bundled chain is a candidate (n_steps large): whatever the search proposes
    # must be allowed by the rules on every step it acts on, and what it leaves out says why.
    commitments_refused = set()
    for name, r in bundled_runs.items():
        proposal = propose(chain_bottlenecks(r, staff_effects=False), r.process, n_steps=100, n_agencies=100)
        for lever in proposal.changes:
            for ruling in legal.lever_rulings(lever, r.process):
                assert ruling.allowed, f"{name}: proposed {lever.label('en')} although {ruling.text('en')}"
        for ex in proposal.excluded:
            assert ex.by in ("rule", "search") and ex.rule and ex.source, (name, ex)
            if ex.by == "rule":
                assert any(not x.allowed for x in legal.lever_rulings(ex.change, r.process))
            else:  # staff where there is no queue to shorten or no staff work at all
                assert ex.change.verb == "staff" and ex.rule in ("no_queue", "no_staff_work")
            if isinstance(ex.change, Commitment):
                commitments_refused.add((name, ex.step))
    # The issue's examples: none of these may be turned into a commitment.
    for name, step in [("electricity_hv_single_2021", "t_external_works"), ("property_2021", "t_register"),
                       ("construction_general_2021", "t_joint_acceptance"), ("construction_general_2021", "t_drawing_review"),
                       ("construction_general_2021", "t_eng_planning"), ("trade_import_2021", "t_yard_pickup")]:
        assert (name, step) in commitments_refused, (name, step)


def test_excluded_levers_are_never_proposed_and_are_listed():
    from sim.analysis.bottlenecks import AgencyLoad

    r = sim.simulate(ROOT / "processes" / "construction_lowrisk_2021.bpmn", cases=40, replications=2, seed=5)
    b = chain_bottlenecks(r, staff_effects=False)  # a queue at every agency, so staff is a candidate wherever it is not excluded
    b = dataclasses.replace(b, agencies=[AgencyLoad(a.agency, a.staff, a.utilisation, 1.0, 3, effort_h=1.0) for a in b.agencies])
    open_ = propose(b, r.process, n_steps=100, n_agencies=100)
    assert any(isinstance(c, Online) for c in open_.changes) and any(c.verb == "staff" for c in open_.changes)
    agency = next(c.target for c in open_.changes if c.verb == "staff")
    sc = parse_scenario({"excluded_levers": ["online", {"lever": "staff", "agencies": [agency], "reason": "no hiring in 2021"}]})
    shut = propose(b, r.process, n_steps=100, n_agencies=100, exclusions=sc.excluded_levers)
    assert not any(isinstance(c, Online) for c in shut.changes)
    assert not any(c.verb == "staff" and c.target == agency for c in shut.changes)
    by_scenario = [x for x in shut.excluded if x.by == "scenario"]
    assert {x.change.verb for x in by_scenario} == {"online", "staff"}
    assert any("no hiring in 2021" in x.text("en") and x.rule == "excluded_levers[1]" for x in by_scenario)


def test_effects_carry_intervals_and_say_when_not_detectable():
    r = sim.simulate(FIXTURE, cases=80, replications=5, seed=3)
    b = chain_bottlenecks(r, staff_effects=False)
    changes = propose(b, r.process, n_steps=2, n_agencies=1).changes
    # A threshold every case meets whatever the change: every paired difference is 0.
    lax = Threshold("max", None, 1000.0)
    _, ranked = rank_changes(r.process, r.scenario, "workdays", lax, changes, replications=5, cases=80, seed=3, workers=1)
    assert ranked and all(x.delta == 0 and not x.detectable for x in ranked)
    assert all(x.effect_text("en").startswith("no detectable effect") for x in ranked)
    assert all(x.effect_text("zh").startswith("无可检测的影响") for x in ranked)
    # A threshold at the median: making the slowest step faster or slower matters, and detectably.
    median = float(np.median(np.concatenate([v.values() for v in (rep.metric("workdays") for rep in r.replications)])))
    th = Threshold("max", None, median)
    base, ranked = rank_changes(r.process, r.scenario, "workdays", th, changes, replications=5, cases=80, seed=3, workers=1)
    for x in ranked:
        assert x.delta_lo <= x.delta <= x.delta_hi and not math.isnan(x.delta_lo)
        assert x.lo <= x.share <= x.hi
    by = {x.change: x for x in ranked}
    step = changes[0].target
    faster, slower = (by[Scale(step, f, "both", source="sensitivity")] for f in (FASTER, SLOWER))
    assert faster.delta > 0 > slower.delta and faster.detectable and slower.detectable
    assert not faster.effect_text("en").startswith("no detectable")


def test_paired_interval_is_mean_plus_minus_t_s_over_root_n():
    from scipy import stats

    from sim.analysis.sensitivity import _paired

    base, variant = [0.5, 0.6, 0.7, 0.55], [0.6, 0.62, 0.8, 0.6]
    d = np.subtract(variant, base)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert _paired(variant, base) == pytest.approx((d.mean(), d.mean() - half, d.mean() + half))
    r = Ranked(Online("t"), 0.6, 0.01, delta_lo=-0.02, delta_hi=0.04)
    assert not r.detectable and Ranked(Online("t"), 0.6, 0.01, delta_lo=0.001, delta_hi=0.04).detectable


@pytest.fixture(scope="module")
def small_assessment():
    reg = load_register(DATA / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=DATA)
    return assess(reg, replications=3, cases=60, seed=11)


def test_base_share_in_sensitivity_is_the_verdicts_share(small_assessment):
    a = small_assessment
    chains = analyse_chains(a, n_steps=2, n_agencies=1, workers=1)
    ranked = [c for c in chains if c.primary is not None]
    assert ranked
    for ch in ranked:
        row = ch.primary
        assert ch.base == (row.share, row.lo, row.hi)
        assert ch.ranked is not None and all(not math.isnan(x.delta_lo) for x in ch.ranked)


def test_variants_run_on_the_verdicts_random_numbers(small_assessment):
    # Common random numbers: re-running the verdict's process and scenario the way every variant
    # runs reproduces the verdict's per-replication shares exactly, so a paired difference is the
    # change's effect and nothing else.
    a = small_assessment
    th = Threshold("max", None, 1.0)
    for res in a.results.values():
        again = sim.simulate(res.process, res.scenario, cases=a.cases, replications=a.replications, seed=a.seed)
        assert replication_shares(again, "workdays", th).tolist() == replication_shares(res, "workdays", th).tolist()
        assert share_meeting(again, "workdays", th) == share_meeting(res, "workdays", th)


def test_band_targets_are_ranked_on_the_threshold_the_verdict_uses():
    # T26 (45–50 h, faster meets the intent): sensitivity must work on "≤ 50 h" as the verdict does,
    # not on the band, else a faster pick-up would count as a loss (the issue's complaint).
    # (the register judges T26 on the mean; its band is ranked here as a share-of-cases band would be)
    reg = load_register(ROOT / "scenarios" / "targets.yaml")
    t26 = next(t for t in reg.targets if t.id == "T26")
    t26 = dataclasses.replace(t26, checks=tuple(dataclasses.replace(c, statistic="share", statistic_why="") for c in t26.checks))
    one = dataclasses.replace(reg, targets=(t26,))
    a = assess(one, replications=2, cases=40, seed=4)
    (ch,) = analyse_chains(a, n_steps=3, n_agencies=1, workers=1)
    band = next(r for r in a.rows if r.check == "45–50 hours")
    assert band.verdict != "reachable" and math.isnan(band.band_share) is False  # ranked, and judged on its upper bound
    assert ch.bases[("T26", "45–50 hours")] == (band.share, band.lo, band.hi)
    assert ch.bases[("T26", ch.primary.check)] == ch.base == (ch.primary.share, ch.primary.lo, ch.primary.hi)


def test_greedy_fix_says_greedy_and_rechecks_on_fresh_random_numbers():
    r = sim.simulate(FIXTURE, cases=80, replications=4, seed=3)
    b = chain_bottlenecks(r, staff_effects=False)
    changes = propose(b, r.process, n_steps=3, n_agencies=2).changes
    values = np.concatenate([rep.metric("workdays").values() for rep in r.replications])
    th = Threshold("max", None, float(np.quantile(values, 0.6)))
    _, ranked = rank_changes(r.process, r.scenario, "workdays", th, changes, replications=4, cases=80, seed=3, workers=1)
    fix = greedy_fix(r.process, r.scenario, "workdays", th, ranked, required=0.7, replications=4, cases=80, seed=3, workers=1)
    assert fix is not None and 1 <= len(fix.changes) <= 3
    assert all(any(c == x.change and x.detectable and x.delta > 0 for x in ranked) for c in fix.changes)
    if fix.reached:
        assert fix.lo >= 0.7 and fix.recheck_seed == 3 + RECHECK_OFFSET and fix.recheck is not None
        assert fix.recheck_verdict in ("reachable", "at_risk", "not_reachable")
        assert "re-checked on fresh random numbers (seed 4)" in fix.text("en")
    else:
        assert "greedy search found no set" in fix.text("en")
    # nothing detectably helpful: no fix is claimed
    assert greedy_fix(r.process, r.scenario, "workdays", th, [Ranked(Online("t"), 0.5, 0.0, 0.4, 0.6, 0.0, 0.0)],
                      required=0.7, replications=4, cases=80, seed=3, workers=1) is None


def test_report_shows_effects_exclusions_and_the_greedy_note(small_assessment, tmp_path):
    from sim.report.html import write_report

    chains = analyse_chains(small_assessment, n_steps=2, n_agencies=1, workers=1)
    html = write_report(small_assessment, chains, tmp_path / "out", lang="en", diagrams=False).read_text(encoding="utf-8")
    assert "Sensitivity (single legal changes)" in html and "At the verdict&#x27;s own precision: 3 replications × 60 cases" in html
    assert "Levers not proposed, and why" in html and "no step_kind" in html  # the fixture's steps are unclassified
    assert "95% interval" in html
    zh = write_report(small_assessment, chains, tmp_path / "zh", lang="zh", diagrams=False).read_text(encoding="utf-8")
    assert "未提出的改革及原因" in zh and "与结论相同的精度：3次重复" in zh


def test_an_exclusion_naming_no_step_of_any_chain_is_an_error():
    from sim.errors import ScenarioError

    reg = load_register(DATA / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=DATA)
    sc = parse_scenario({"excluded_levers": [{"lever": "online", "steps": ["t_sael"]}]}, file="policy.yaml")
    a = assess(reg, replications=2, cases=20, seed=1, scenario=sc)
    with pytest.raises(ScenarioError, match=r'policy\.yaml: excluded_levers\[0\]: unknown step "t_sael" \(did you mean "t_seal"\?\)'):
        analyse_chains(a, n_steps=1, n_agencies=1, workers=1)


def test_greedy_search_is_skipped_when_even_added_effects_cannot_reach():
    # Two small detectable effects on a share of 50%: even added, their upper bounds cannot reach 95%.
    small = [Ranked(Online("a"), 0.52, 0.02, 0.50, 0.54, 0.01, 0.03), Ranked(Online("b"), 0.51, 0.01, 0.49, 0.53, 0.005, 0.02)]
    fix = greedy_fix(None, None, "workdays", Threshold("max", None, 1.0), small, required=0.95, replications=2, cases=10,
                     seed=1, workers=1)
    assert fix is not None and not fix.reached and fix.tried == 0 and fix.note == "56.0%"
    assert fix.text("en").startswith("not searched: even the 3 most helpful changes")


def test_staff_is_not_simulated_where_no_queue_exists():
    from sim.analysis.bottlenecks import AgencyLoad

    r = sim.simulate(FIXTURE, cases=40, replications=2, seed=5)
    b = chain_bottlenecks(r, staff_effects=False)
    quiet = dataclasses.replace(b, agencies=[AgencyLoad(a.agency, a.staff, a.utilisation, 0.0, 0, effort_h=1.0) for a in b.agencies])
    proposal = propose(quiet, r.process, n_steps=1, n_agencies=5)
    assert not [c for c in proposal.changes if c.verb == "staff"]
    assert {x.rule for x in proposal.excluded if x.change.verb == "staff"} == {"no_queue"}
