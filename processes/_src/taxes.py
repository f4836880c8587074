"""Property and behaviour taxes 财产行为税: ten returns filed separately versus together (seed 二(十)1, T30).

A case is one firm's filing period (a quarter): the firm is liable for some of the ten taxes
(case attributes ``liable_<tax>``), and before the reform files one return per tax; after it
files one combined return (合并申报) for all of them. Filings per year = procedures per case ×
periods a year (4 for the quarterly taxes; transaction taxes such as 契税, 耕地占用税, 土地增值税
are filed when the transaction happens, which this model folds into the period it falls in).

Example:
    >>> sorted(build())
    ['taxes_2021', 'taxes_baseline']
"""

from __future__ import annotations

from svc_kit import STAFF_RULE, Builder, write_all

from sim.model.process import Process

TAXES = [  # (attribute suffix, 中文, English, share of firms liable in a quarter)
    ("land_use", "城镇土地使用税", "Urban land use tax", 0.6),
    ("property", "房产税", "Property tax", 0.6),
    ("vehicle", "车船税", "Vehicle and vessel tax", 0.3),
    ("stamp", "印花税", "Stamp duty", 0.9),
    ("farmland", "耕地占用税", "Farmland occupation tax", 0.02),
    ("resource", "资源税", "Resource tax", 0.05),
    ("land_vat", "土地增值税", "Land appreciation tax", 0.05),
    ("deed", "契税", "Deed tax", 0.05),
    ("environment", "环境保护税", "Environmental protection tax", 0.1),
    ("tobacco", "烟叶税", "Tobacco leaf tax", 0.01),
]
DEFAULTS = {
    **{f"attribute.liable_{k}": str(share) for k, _, _, share in TAXES},
    "arrivals.rate_per_workday": "200",
    "agency.tax.staff": "15",
    "source": "assumption: shares of firms liable for each tax in a quarter are illustrative (no published "
              "Hainan figure); the list of ten taxes: seed 二(十)2(1); "
              f"agency.tax.staff: {STAFF_RULE}, sized on the baseline (ten separate returns)",
}
FILE = "assumption: e-tax return prepared by the firm and accepted the same day; work is the tax office's check"


def baseline() -> Process:
    b = Builder("taxes_baseline", "财产行为税分别申报", "Property and behaviour taxes filed separately", DEFAULTS)
    split = b.gateway("p_taxes", "parallel", "各税种")
    join = b.gateway("p_taxes_join", "parallel")
    b.chain("start", split)
    for key, zh, en, _ in TAXES:
        g = b.gateway(f"g_{key}", "exclusive", f"应缴{zh}？")
        m = b.gateway(f"m_{key}", "exclusive")
        t = b.task(f"t_file_{key}", f"{zh}申报", f"{en} return", agency="tax", procedure=True, documents=1,
                   online=True, wait="uniform(0, 0.25) workday", work="triangular(0.05, 0.1, 0.25) h",
                   source=f"one return per tax before the reform: seed 二(十)2(1); documents, wait, work: {FILE}", kind="filing")
        b.chain(split, g)
        b.flow(g, t, condition=f"liable_{key}", name="是")
        b.flow(g, m, name="否", default=True)
        b.chain(t, m, join)
    b.chain(join, "end")
    return b.build()


def reform() -> Process:
    b = Builder("taxes_2021", "财产行为税合并申报", "Property and behaviour taxes filed together", DEFAULTS)
    g = b.gateway("g_liable", "exclusive", "应缴任一财产行为税？")
    m = b.gateway("m_liable", "exclusive")
    t = b.task("t_file_combined", "财产行为税合并申报", "Combined property and behaviour tax return", agency="tax",
               procedure=True, documents=1, online=True, wait="uniform(0, 0.25) workday",
               work="triangular(0.1, 0.2, 0.4) h",
               source=f"ten taxes in one return: seed 二(十)2(1); online: seed 二(十)2(3); documents, wait, work: {FILE}", kind="filing")
    any_tax = " or ".join(f"liable_{k}" for k, _, _, _ in TAXES)
    b.chain("start", g)
    b.flow(g, t, condition=any_tax, name="是")
    b.flow(g, m, name="否", default=True)
    b.chain(t, m, "end")
    return b.build()


def build() -> dict[str, Process]:
    return {"taxes_baseline": baseline(), "taxes_2021": reform()}


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
