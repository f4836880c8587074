"""Ranges on the numbers of a scenario's ``edits:`` (and ``arrivals.growth``): a what-if setting made uncertain.

A lever's number is the planner's choice ("what if one case in ten is inspected?"), so it needs no range; but
where the value itself is unknown, ``ranges:`` may give one and the robust design (:mod:`sim.analysis.robustness`)
samples it like any assumption. The id names the lever by its step, not by its position (an ``extends:`` chain
appends edits, so positions move):

=============================================  =====================================  =======
edit                                           range id                               unit
=============================================  =====================================  =======
``{commitment: t_x, inspection_share: 0.1}``   ``t_x.commitment.inspection_share``    share
``{online: t_x, work_factor: 0.5}``            ``t_x.online.work_factor``             factor
``{scale: t_x, factor: 0.8}``                  ``t_x.scale.factor``                   factor
``{accept_incomplete: t_x, factor: 0.5}``      ``t_x.accept_incomplete.factor``       factor
``{accept_incomplete: t_x, saved: 1 workday}``  ``t_x.accept_incomplete.saved``        its unit
``{demand: 2.0}``                              ``demand.factor``                      factor
``arrivals: {growth: 2.0}``                    ``arrivals.growth``                    factor
=============================================  =====================================  =======

At a point the lever's effect moves by the ratio to its central value, on top of the other assumptions
(:func:`point_changes`): a factor ×v/c on the step's part (an arrival factor on the rate), a ``saved`` the
step's wait by c − v, an inspection share the inspection branch's share. A range on an inspection share
stands for the two branch shares the edit creates (ranging those too is refused: the same number twice).

Example:
    >>> from sim.model.edits import parse_edits
    >>> from sim.model.scenario import Scenario
    >>> [(p.id, p.central, p.unit, p.path) for p in edit_params(Scenario(edits=parse_edits([{"scale": "t_r", "factor": 0.8}])))]
    [('t_r.scale.factor', 0.8, 'factor', 'edits[0].factor')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .levers import AcceptIncomplete, Commitment, Demand, Online, Scale

if TYPE_CHECKING:
    from .process import Process
    from .scenario import Scenario

__all__ = ["EditParam", "edit_params", "inspection_flows", "point_changes", "FACTOR", "ID_FORMS"]

FACTOR = "factor"  # the unit of a multiplier (sim.model.ranges.RANGE_UNITS)
ID_FORMS = ("<step>.commitment.inspection_share", "<step>.online.work_factor", "<step>.scale.factor",
            "<step>.accept_incomplete.factor", "<step>.accept_incomplete.saved", "demand.factor", "arrivals.growth")
_UNITS = {"hour": "h", "workday": "workday", "day": "day"}


@dataclass(frozen=True)
class EditParam:
    """One ranged-able number of an edit: its id, the lever's step ("" for arrivals), the value and unit, the edit's source."""

    id: str
    verb: str
    step: str
    param: str
    central: float
    unit: str
    source: str
    path: str  # the YAML path of the number (edits[i].<param>, arrivals.growth)
    part: str = ""  # the step's part a factor multiplies (work, wait, both)


def edit_params(scenario: Scenario) -> list[EditParam]:
    """Every number of ``scenario``'s edits (and its arrivals growth) a range can be written on, in file order;
    a second edit giving the same id is left out (:func:`sim.model.assumptions` refuses a range on it)."""
    out: list[EditParam] = []
    for i, lever in enumerate(scenario.edits):
        step = getattr(lever, "step", "")
        found: list[tuple[str, float | None, str, str]] = []
        if isinstance(lever, Commitment):
            found = [("inspection_share", lever.inspection_share, "share", "")]
        elif isinstance(lever, Online):
            found = [("work_factor", lever.work_factor, FACTOR, "work")]
        elif isinstance(lever, Scale):
            found = [("factor", lever.factor, FACTOR, lever.part)]
        elif isinstance(lever, AcceptIncomplete):
            found = [("factor", lever.factor, FACTOR, "wait")] if lever.factor is not None else []
            if lever.saved is not None:
                found.append(("saved", lever.saved.mean, _UNITS[lever.saved.unit], "wait"))
        elif isinstance(lever, Demand):
            out.append(EditParam("demand.factor", "demand", "", "factor", float(lever.factor), FACTOR, lever.source,
                                 f"edits[{i}].demand"))
        for param, value, unit, part in found:
            if value is not None:
                out.append(EditParam(f"{step}.{lever.verb}.{param}", lever.verb, step, param, float(value), unit, lever.source,
                                     f"edits[{i}].{param}", part))
    growth = scenario.arrivals.growth
    if growth != 1.0:
        out.append(EditParam("arrivals.growth", "growth", "", "growth", float(growth), FACTOR, scenario.arrivals.source,
                             "arrivals.growth"))
    seen: set[str] = set()
    unique = []
    for p in out:
        if p.id not in seen:
            seen.add(p.id)
            unique.append(p)
    return unique


def inspection_flows(process: Process, step: str) -> tuple[str, ...]:
    """The branch flows the commitment of ``step`` created in the edited ``process``: to the inspection first."""
    inspection = next((n.id for n in process.nodes.values() if n.facts is not None
                       and n.facts.extra.get("inspection_of") == step), None)
    if inspection is None:
        return ()
    into = [f for f in process.flows.values() if f.target == inspection and f.share is not None]
    if not into:
        return ()
    gate = into[0].source
    return (into[0].id, *(f.id for f in process.outgoing(gate) if f.id != into[0].id))


def point_changes(p: EditParam, value: float, wait_at_point: float | None) -> tuple[str, Any]:
    """What the point changes for ``p`` at ``value``: ``("scale", (part, factor))``, ``("demand", factor)`` or
    ``("share", value)`` (the inspection branch). ``wait_at_point``: the step's mean wait at the point in ``p.unit``,
    for ``saved`` (``ValueError`` when the saving would leave no wait).

    >>> point_changes(EditParam("t.scale.factor", "scale", "t", "factor", 0.5, FACTOR, "", "edits[0].factor", "wait"), 0.75, None)
    ('scale', ('wait', 1.5))
    >>> point_changes(EditParam("t.accept_incomplete.saved", "accept_incomplete", "t", "saved", 1.0, "workday", "", "", "wait"), 0.5, 2.0)
    ('scale', ('wait', 1.25))
    """
    if p.verb in ("demand", "growth"):
        return "demand", value / p.central
    if p.verb == "commitment":
        return "share", value
    if p.param == "saved":
        assert wait_at_point is not None
        left = wait_at_point + (p.central - value)
        if left <= 0:
            raise ValueError(f"saving {value:g} {p.unit} leaves no wait at this point ({wait_at_point:g} {p.unit} before the "
                             f"change); expected a range of saved below the step's wait")
        return "scale", ("wait", left / wait_at_point)
    return "scale", (p.part, value / p.central)
