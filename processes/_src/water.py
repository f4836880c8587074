"""Water connection with external works (获得用水), before and after the 2021 plan (seed 二(五)).

Same chain as gas (see ``gas.external_works_chain``): the 2021 variant moves the planning,
green-space and road-digging permits from licensing to 告知承诺 (seed 二(五)2(2)), caps the
expressway / national-road permit at 8 working days (seed 二(五)2(2), target T23), trims the
documents (seed 二(五)2(1)) and takes the application online with progress tracking
(seed 二(五)2(3)).

Example:
    >>> sorted(build())
    ['water_2021', 'water_baseline']
"""

from __future__ import annotations

from gas import external_works_chain
from svc_kit import write_all

from sim.model.process import Process


def build() -> dict[str, Process]:
    """The water chain before and after the 2021 plan, by output file stem."""
    common = dict(agency="water_company", zh="用水报装", en="Water connection", clause="二(五)2",
                  online_clause="二(五)2(3)")
    return {
        "water_baseline": external_works_chain("water", False, **common),
        "water_2021": external_works_chain("water", True, **common),
    }


def main() -> None:
    """Write this chain's BPMN files into processes/ (called by build_all.py)."""
    for path in write_all(build()):
        print(path)


if __name__ == "__main__":
    main()
