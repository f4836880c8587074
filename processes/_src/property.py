"""Property registration 不动产登记 (business-to-business transfer), before and after (seed 二(六)).

Baseline: five separate procedures at three counters (title search, contract filing, tax,
registration, certificate), calibrated to DB2018.CHN.registering_property (5 procedures,
23.45 calendar days). 2021: the baseline plus the measures of seed 二(六) written in
processes/measures/property_2021.yaml — one-window 一窗受理 filed online (二(六)1, 2(2)), data
checked instead of paper collected (二(六)2(1)); contract filing and tax assessment become
hand-offs behind the window.

Example:
    >>> sorted(build())
    ['property_2021', 'property_baseline']
"""

from __future__ import annotations

from svc_kit import ROOT, STAFF_RULE, Builder, write_all

from sim.model.measures import build_from_measures, load_measures
from sim.model.process import Process

FEE = "fee: assumption: national standard 550 yuan per non-residential registration (发改价格规〔2016〕2559号), not in sim/data/sources.yaml"
CAL18 = "wait calibrated so the chain's mean is near DB2018.CHN.registering_property 23.45 calendar days (≈16 workdays); split between steps: assumption"
LIMIT = "limit: assumption: 不动产登记暂行条例 art. 20, 30 working days"
DEFAULTS = {
    "arrivals.rate_per_workday": "20",
    "agency.registry.staff": "7",
    "agency.housing.staff": "3",
    "agency.tax.staff": "3",
    "source": "assumption: illustrative city-level volume and staff; set them in a scenario; "
              f"agency.registry.staff, agency.housing.staff: {STAFF_RULE}, sized on the busier variant",
}


def baseline() -> Process:
    b = Builder("property_baseline", "不动产登记（改革前）", "Property registration (baseline)", DEFAULTS)
    b.chain(
        "start",
        b.task("t_title_check", "产权及查封抵押查询", "Title and encumbrance search", agency="registry",
               procedure=True, documents=1, limit="1 workday", wait="uniform(0.5, 1) workday",
               work="triangular(0.1, 0.25, 0.5) h", source=f"{CAL18}; limit, documents: assumption", kind="service"),
        b.task("t_contract_filing", "存量房买卖合同网签备案", "Sale contract filing", agency="housing",
               procedure=True, documents=4, limit="5 workday", wait="triangular(1, 2, 5) workday",
               work="triangular(0.25, 0.5, 1) h", source=f"{CAL18}; limit, documents: assumption", kind="filing"),
        b.task("t_tax", "税费核定及缴纳", "Transfer tax assessment and payment", agency="tax", procedure=True,
               documents=4, limit="5 workday", wait="triangular(1, 2, 4) workday", work="triangular(0.25, 0.5, 1) h",
               source=f"{CAL18}; limit, documents: assumption", kind="payment"),
        b.task("t_register", "不动产转移登记申请及审核", "Transfer registration application and review",
               agency="registry", procedure=True, documents=5, fee=550, limit="30 workday",
               wait="triangular(5, 9, 15) workday", work="triangular(0.5, 1, 2) h",
               source=f"{LIMIT}; {FEE}; {CAL18}; documents: assumption", kind="registration"),
        b.task("t_certificate", "领取不动产权证书", "Collect the title certificate", agency="registry", procedure=True,
               limit="1 workday", wait="uniform(0.5, 1) workday", work="triangular(0.05, 0.1, 0.25) h",
               source=f"{CAL18}; limit: assumption", kind="registration"),
        "end",
    )
    return b.build()


def reform() -> Process:
    """The baseline plus the measures of seed 二(六) in processes/measures/property_2021.yaml (sim.model.measures)."""
    return build_from_measures(baseline(), load_measures(ROOT / "processes" / "measures" / "property_2021.yaml"))


def build() -> dict[str, Process]:
    return {"property_baseline": baseline(), "property_2021": reform()}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
