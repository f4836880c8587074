"""Cross-border trade, import and export, in hours (跨境贸易, seed 二(八)).

The clock is the GACC 整体通关时间: from the goods' arrival (import) or arrival at the port
(export) to release and pick-up / loading. Baselines are calibrated to CN.baseline.customs.2017
(import 97.4 h, export 12.2 h); the 2021 variants add 提前申报 (declaration lodged before
arrival, so off the clock), 两步申报 (summary declaration now, full declaration within 14 days
after release), 船边直提 (import pick-up at ship side) and 抵港直装 (export loaded on arrival),
seed 二(八)2(2). Targets T26 (45–50 h), T27 (1.5–3 h).

Fees are compliance cost per container in **USD, not yuan** (DB trading-across-borders
documentary + border compliance): DB2018 for the baselines, DB2020 for 2021 (the latest
published; the plan's port-fee cuts, seed 二(八)2(3), carry no figure). T28 asks ≤ 300 / 240 USD.

Example:
    >>> sorted(build())
    ['trade_export_2021', 'trade_export_baseline', 'trade_import_2021', 'trade_import_baseline']
"""

from __future__ import annotations

from svc_kit import Builder, write_all

from sim.model.process import Process

USD = "fee in USD per container, not yuan"
CAL_IMP = "wait calibrated so the mean is near CN.baseline.customs.2017 import 97.4 h; split between steps: assumption"
CAL_EXP = "wait calibrated so the mean is near CN.baseline.customs.2017 export 12.2 h; split between steps: assumption"
INSPECT = "assumption: share of declarations inspected (布控查验), no published Hainan figure"
DEFAULTS = {  # copied per process by Builder
    "arrivals.rate_per_workday": "40",
    "agency.customs.staff": "6",
    "agency.port_operator.staff": "6",
    "source": "assumption: illustrative port volume and staff; set them in a scenario",
}


def _inspection(b: Builder, hours: str, share: float, cal: str) -> tuple[str, str]:
    # Routing by a case attribute, not by flow shares: SpiffWorkflow requires conditions on
    # non-default flows, and a per-case attribute keeps both executors on the same branch.
    b.attribute("is_inspected", share, INSPECT)
    g = b.gateway("g_inspect", "exclusive", "布控查验？")
    m = b.gateway("m_inspect", "exclusive")
    t = b.task("t_inspection", "海关查验", "Customs inspection", agency="customs", procedure=True,
               wait=f"triangular({hours}) h", source=f"{cal}; wait: assumption", kind="inspection")
    b.flow(g, t, condition="is_inspected", name="查验")
    b.flow(g, m, name="不查验", default=True)
    b.chain(t, m)
    return g, m


def import_baseline() -> Process:
    b = Builder("trade_import_baseline", "进口通关（2017年基线）", "Import clearance (2017 baseline)", DEFAULTS)
    declare = b.task("t_declare", "货物运抵后申报", "Declaration after arrival", agency="customs", procedure=True,
                     documents=5, fee=125.9, wait="triangular(12, 22, 46) h",
                     source=f"fee: DB2018.CHN.trading_across_borders import_doc_usd 125.9 ({USD}); {CAL_IMP}; documents: assumption", kind="application")
    review = b.task("t_review", "海关审单", "Customs document review", agency="customs", procedure=False,
                    wait="triangular(2, 6, 12) h", source=CAL_IMP, kind="permit")
    g, m = _inspection(b, "12, 24, 48", 0.1, CAL_IMP)
    pickup = b.task("t_yard_pickup", "放行后堆场提离", "Release and pick-up from the yard", agency="port_operator",
                    procedure=True, fee=745, wait="triangular(36, 54, 92) h",
                    source=f"fee: DB2018.CHN.trading_across_borders import_border_usd 745 ({USD}); {CAL_IMP}", kind="works")
    b.chain("start", declare, review, g)
    b.chain(m, pickup, "end")
    return b.build()


def import_reform() -> Process:
    b = Builder("trade_import_2021", "进口通关（2021年方案：提前申报、两步申报、船边直提）",
                "Import clearance (2021 plan: advance and two-step declaration, ship-side pick-up)", DEFAULTS)
    declare = b.task("t_declare", "提前申报（两步申报：概要申报）", "Advance summary declaration (two-step)",
                     agency="customs", procedure=True, documents=3, online=True, fee=77.3,
                     source=(f"seed 二(八)2(2) 提前申报/两步申报: lodged before arrival, so no time on the arrival-to-release "
                             f"clock; fee: DB2020.CHN.trading_across_borders import_doc_usd 77.3 ({USD}); documents: assumption"), kind="application")
    review = b.task("t_review", "风险研判及放行", "Risk screening and release", agency="customs", procedure=False,
                    wait="triangular(1, 2, 6) h", source="assumption: automated screening of an advance declaration", kind="permit")
    g, m = _inspection(b, "6, 12, 24", 0.1, "assumption: inspection prepared before arrival")
    b.attribute("ship_side_pickup", 0.2, "assumption: pilot share of 船边直提 at Yangpu/Haikou (seed 二(八)2(2))")
    g_pick = b.gateway("g_pickup", "exclusive", "船边直提？")
    m_pick = b.gateway("m_pickup", "exclusive")
    ship = b.task("t_ship_side", "船边直提", "Ship-side direct pick-up", agency="port_operator", procedure=True,
                  fee=241.3, wait="triangular(1, 2, 4) h",
                  source=f"seed 二(八)2(2) 船边直提; fee: DB2020.CHN.trading_across_borders import_border_usd 241.3 ({USD}); wait: assumption", kind="works")
    yard = b.task("t_yard_pickup", "堆场提离", "Pick-up from the yard", agency="port_operator", procedure=True,
                  fee=241.3, wait="triangular(28, 50, 78) h",
                  source=f"fee: DB2020.CHN.trading_across_borders import_border_usd 241.3 ({USD}); wait: assumption: yard dwell "
                         "with electronic hand-over documents (seed 二(八)2(1)), mean ≈ 52 h", kind="works")
    full = b.task("t_full_declaration", "完整申报（两步申报第二步）", "Full declaration (two-step, second step)",
                  agency="customs", procedure=True, documents=2, online=True,
                  source="seed 二(八)2(2) 两步申报: filed within 14 days after release, off the clearance clock; documents: assumption", kind="application")
    b.chain("start", declare, review, g)
    b.chain(m, g_pick)
    b.flow(g_pick, ship, condition="ship_side_pickup", name="船边直提")
    b.flow(g_pick, yard, name="堆场", default=True)
    b.chain(ship, m_pick)
    b.chain(yard, m_pick)
    b.chain(m_pick, full, "end")
    return b.build()


def export_baseline() -> Process:
    b = Builder("trade_export_baseline", "出口通关（2017年基线）", "Export clearance (2017 baseline)", DEFAULTS)
    declare = b.task("t_declare", "运抵后申报", "Declaration after arrival at the port", agency="customs", procedure=True,
                     documents=4, fee=84.6, wait="triangular(2, 4, 8) h",
                     source=f"fee: DB2018.CHN.trading_across_borders export_doc_usd 84.6 ({USD}); {CAL_EXP}; documents: assumption", kind="application")
    review = b.task("t_review", "海关审单", "Customs document review", agency="customs", procedure=False,
                    wait="triangular(1, 3, 6) h", source=CAL_EXP, kind="permit")
    g, m = _inspection(b, "6, 12, 24", 0.1, CAL_EXP)
    load = b.task("t_loading", "放行装船", "Release and loading", agency="port_operator", procedure=True, fee=484.1,
                  wait="triangular(1, 3, 5) h",
                  source=f"fee: DB2018.CHN.trading_across_borders export_border_usd 484.1 ({USD}); {CAL_EXP}", kind="works")
    b.chain("start", declare, review, g)
    b.chain(m, load, "end")
    return b.build()


def export_reform() -> Process:
    b = Builder("trade_export_2021", "出口通关（2021年方案：提前申报、抵港直装）",
                "Export clearance (2021 plan: advance declaration, loading on arrival)", DEFAULTS)
    declare = b.task("t_declare", "提前申报", "Advance declaration", agency="customs", procedure=True, documents=3,
                     online=True, fee=73.6,
                     source=(f"seed 二(八)2(2) 提前申报: before arrival, off the clock; fee: DB2020.CHN.trading_across_borders "
                             f"export_doc_usd 73.6 ({USD}); documents: assumption"), kind="application")
    review = b.task("t_review", "风险研判及放行", "Risk screening and release", agency="customs", procedure=False,
                    wait="triangular(0.25, 0.5, 1) h", source="assumption: automated screening of an advance declaration", kind="permit")
    g, m = _inspection(b, "2, 4, 8", 0.03, "assumption: 无感通关 and new inspection equipment (seed 二(八)2(2))")
    b.attribute("direct_loading", 0.5, "assumption: pilot share of 抵港直装 (seed 二(八)2(2))")
    g_load = b.gateway("g_loading", "exclusive", "抵港直装？")
    m_load = b.gateway("m_loading", "exclusive")
    direct = b.task("t_direct_load", "抵港直装", "Loading on arrival", agency="port_operator", procedure=True,
                    fee=256.2, wait="triangular(0.5, 1, 2) h",
                    source=f"seed 二(八)2(2) 抵港直装; fee: DB2020.CHN.trading_across_borders export_border_usd 256.2 ({USD}); wait: assumption", kind="works")
    yard = b.task("t_yard_load", "进堆场后装船", "Loading via the yard", agency="port_operator", procedure=True,
                  fee=256.2, wait="triangular(1, 2, 4) h",
                  source=f"fee: DB2020.CHN.trading_across_borders export_border_usd 256.2 ({USD}); wait: assumption", kind="works")
    b.chain("start", declare, review, g)
    b.chain(m, g_load)
    b.flow(g_load, direct, condition="direct_loading", name="抵港直装")
    b.flow(g_load, yard, name="堆场", default=True)
    b.chain(direct, m_load)
    b.chain(yard, m_load)
    b.chain(m_load, "end")
    return b.build()


def build() -> dict[str, Process]:
    return {
        "trade_import_baseline": import_baseline(), "trade_import_2021": import_reform(),
        "trade_export_baseline": export_baseline(), "trade_export_2021": export_reform(),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
