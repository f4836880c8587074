"""Property registration 不动产登记 (business-to-business transfer), before and after (seed 二(六)).

Baseline: five separate procedures at three counters (title search, contract filing, tax,
registration, certificate), calibrated to DB2018.CHN.registering_property (5 procedures,
23.45 calendar days). 2021: one-window 一窗受理 filed online (seed 二(六)1, 2(2)), data
checked instead of paper collected (seed 二(六)2(1)); contract filing and tax assessment become
internal hand-offs behind the window. DB2020.CHN.registering_property (3.55 procedures, 9 days)
and CN.target.registering_property.2019 (≤ 5 working days) are the yardsticks.

Example:
    >>> sorted(build())
    ['property_2021', 'property_baseline']
"""

from __future__ import annotations

from svc_kit import STAFF_RULE, Builder, write_all

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
    b = Builder("property_2021", "不动产登记（2021年方案：一窗受理网上办）",
                "Property registration (2021 plan: one window, online)", DEFAULTS)
    title = b.task("t_title_check", "网上查询产权及查封抵押", "Online title and encumbrance search", agency="registry",
                   procedure=True, documents=0, online=True, limit="1 workday", wait="uniform(0, 0.5) workday",
                   source="online: seed 二(六)2(2) 互联网+不动产登记; limit, wait: assumption", kind="service")
    window = b.task("t_one_window", "一窗受理（交易、缴税、登记一次申请，网上申办）",
                    "One-window application (transfer, tax, registration), online", agency="registry",
                    procedure=True, documents=3, online=True, limit="1 workday", work="triangular(0.25, 0.5, 1) h",
                    wait="uniform(0, 0.5) workday",
                    source=("one window online: seed 二(六)1, 2(2); documents: seed 二(六)2(1) data checks replace paper, "
                            "assumption 13 → 3; limit, work, wait: assumption"), kind="application")
    split = b.gateway("p_backoffice", "parallel", "后台并行", "Back office in parallel")
    join = b.gateway("p_backoffice_join", "parallel")
    filing = b.task("t_contract_filing", "合同备案（后台）", "Contract filing (back office)", agency="housing",
                    procedure=False, wait="uniform(0.25, 1) workday", work="triangular(0.1, 0.25, 0.5) h",
                    source="internal hand-off behind the window: seed 二(六)2(1) 一窗受理集成; wait, work: assumption", kind="filing")
    assess = b.task("t_tax_assess", "税费核定（后台）", "Tax assessment (back office)", agency="tax", procedure=False,
                    wait="uniform(0.25, 1) workday", work="triangular(0.1, 0.25, 0.5) h",
                    source="internal hand-off behind the window: seed 二(六)2(1); wait, work: assumption", kind="internal")
    pay = b.task("t_tax_pay", "网上缴纳税费", "Online tax payment", agency="tax", procedure=True, online=True,
                 wait="uniform(0, 0.5) workday", source="online payment: seed 二(六)2(2) 在线支付; wait: assumption", kind="payment")
    review = b.task("t_review", "登记审核", "Registration review", agency="registry", procedure=False, fee=550,
                    limit="5 workday", wait="triangular(1, 2, 4) workday", work="triangular(0.5, 1, 2) h",
                    source=(f"limit: CN.target.registering_property.2019 (within 5 working days); {FEE}; "
                            "wait near DB2020.CHN.registering_property 9 days overall, split: assumption"), kind="registration")
    cert = b.task("t_certificate", "领取证书（电子证照）", "Certificate (electronic)", agency="registry",
                  procedure=True, online=True, limit="1 workday", wait="uniform(0, 0.5) workday",
                  source="assumption: e-certificate or mailed; DB2020 still counts a final step (3.55 procedures)", kind="registration")
    b.chain("start", title, window, split)
    b.chain(split, filing, join)
    b.chain(split, assess, pay, join)
    b.chain(join, review, cert, "end")
    return b.build()


def build() -> dict[str, Process]:
    return {"property_baseline": baseline(), "property_2021": reform()}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
