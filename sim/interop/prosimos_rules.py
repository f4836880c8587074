"""Prosimos case attributes, event attributes and branch rules → ReformSim attributes and flow conditions.

Prosimos 2.1.0 routes a gateway whose ``gateway_branching_probabilities`` entries carry a
``condition_id`` by the ``branch_rules`` (an OR of ANDs of ``{attribute, comparison, value}``;
``comparison`` "in" is a closed range ``[min, max]`` with ``"inf"`` allowed; ``>``, ``>=``, ``<``,
``<=``, ``!=`` compare as numbers when both sides read as numbers (a discrete attribute's condition
lists the values that pass); any other comparison is equality). At an **exclusive** gateway (``OutgoingFlowSelector``):

- one rule holds → that flow; a flow whose ``condition_id`` names no rule always holds;
- none holds → the gateway's BPMN ``default`` flow, else a draw by the branching probabilities;
- several hold → a draw among them by their probabilities scaled to 1.

ReformSim's engine takes the first flow whose condition holds, so the import writes conditions of
which exactly one holds for every attribute value. Where Prosimos draws, the draw is a case
attribute ``order_<gateway>``: a random order of the flows, weighted (Plackett–Luce: the first is
flow *j* with probability p_j / Σp, the next likewise among the rest), so "the first of the flows
whose rules hold" is the flow Prosimos's scaled draw picks, with the same probability.

Case attributes: ``discrete`` become attributes with the same values and shares; ``continuous``
ones are read by rules only through ranges, so they become the intervals between the rules'
bounds, each with its probability under the law Prosimos samples (truncated as it truncates).
An attribute no rule reads is left out with a note (in Prosimos it only labels the log).

Event attributes (``event_attributes``: a task gives the attribute a new value each time it ends,
Prosimos's ``update_attributes`` in ``execute_task``) become ``attributes.<name>.set_by`` with the
values and shares of each task (continuous ones as the ranges between the rules' bounds, as for
case attributes). Before a task sets it the attribute has no value and a rule on it is false, as
in Prosimos (``BranchConditionRule.is_rule_true``). Refused, with the JSON path, when a rule reads
them: ``expression``, ``dtree`` and Markov (``{from: {to: p}}``) event attributes, and
``global_attributes`` (one value shared by all cases).

Example:
    >>> params = {"case_attributes": [{"name": "kind", "type": "discrete",
    ...                                "values": [{"key": "A", "value": 0.25}, {"key": "B", "value": 0.75}]}],
    ...           "branch_rules": [{"id": "c1", "rules": [[{"attribute": "kind", "comparison": "=", "value": "A"}]]}]}
    >>> rules = BranchRules(params, file="x.json", notes=[])
    >>> rules.expression("c1", "g")
    "(kind == 'A')"
    >>> rules.scenario_attributes()["kind"]["values"]
    {'A': 0.25, 'B': 0.75}
"""

from __future__ import annotations

import itertools
import keyword
import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..errors import ScenarioError

__all__ = ["BranchRules", "gateway_conditions", "MAX_DRAWN_BRANCHES"]

MAX_DRAWN_BRANCHES = 4  # assumption: 4! = 24 orders keep a condition under the 2,000-character expression limit
_RESERVED = {"true", "false", "null", "None", "True", "False", "and", "or", "not", "in"}


def _fail(file: str, path: str, message: str) -> ScenarioError:
    return ScenarioError([(path, message)], file=file)


def _identifier(name: str) -> str:
    """A name the restricted expression evaluator accepts (letters, digits, _; not leading _ or digit)."""
    out = re.sub(r"\W", "_", name.strip())
    if not out or out[0].isdigit() or out[0] == "_" or keyword.iskeyword(out) or out in _RESERVED:
        out = "a_" + out.lstrip("_")
    return out


class BranchRules:
    """The JSON's ``case_attributes``, ``event_attributes`` and ``branch_rules``, checked and translated."""

    def __init__(self, params: Mapping[str, Any], *, file: str, notes: list[str], tasks: Collection[str] | None = None) -> None:
        self.file, self.notes = file, notes
        self.tasks = tasks  # the process's task ids: only a task's end sets an event attribute (None: not checked)
        self.kinds: dict[str, str] = {}  # Prosimos attribute name -> discrete | continuous
        self.names: dict[str, str] = {}  # Prosimos name -> expression identifier
        self.discrete: dict[str, list[tuple[str, float]]] = {}
        self.laws: dict[str, tuple[Any, float, float] | float] = {}  # continuous: (scipy law, lo, hi) or a fixed value
        self.paths: dict[str, str] = {}
        self.read: set[str] = set()  # attributes some used rule reads
        self.bounds: dict[str, set[float]] = {}
        self.extra: dict[str, dict[str, Any]] = {}  # order_<gateway> and pick_<gateway> attributes
        self.updates_kind: dict[str, str] = {}  # event attributes some rule reads -> discrete | continuous
        # event attributes: name -> [(task, JSON path, "discrete" | "continuous" | "other", the shares, the law or what it is)]
        self.updates: dict[str, list[tuple[str, str, Any, str]]] = {}
        self.globals: dict[str, str] = {}
        self._case_attributes(params.get("case_attributes") or [])
        self.event_set = self._event_attributes(params.get("event_attributes") or [])
        globals_ = params.get("global_attributes") or []
        for i, attr in enumerate(globals_ if isinstance(globals_, list) else []):
            if isinstance(attr, Mapping) and isinstance(attr.get("name"), str):
                self.globals.setdefault(attr["name"], f"global_attributes[{i}]")
                self.event_set.setdefault(attr["name"], f"global_attributes[{i}]")
        both = sorted((set(self.kinds) & set(self.updates)) - set(self.globals))
        if both:
            # Prosimos 2.1.0 refuses this too (AllAttributes: "Case attributes cannot be changed by event attributes")
            raise _fail(self.file, self.paths[both[0]], f'"{both[0]}" is both a case attribute and an event attribute '
                        f"({self.event_set[both[0]]}); Prosimos 2.1.0 refuses this too; rename one of them")
        self.rules = self._rules(params.get("branch_rules") or [])

    # -- attributes ---------------------------------------------------------------------------
    def _case_attributes(self, block: Any) -> None:
        if not isinstance(block, list):
            raise _fail(self.file, "case_attributes", "expected a list of {name, type, values}")
        for i, attr in enumerate(block):
            path = f"case_attributes[{i}]"
            if not isinstance(attr, Mapping) or not isinstance(attr.get("name"), str) or not attr["name"].strip():
                raise _fail(self.file, path, "expected {name: text, type: discrete|continuous, values: ...}")
            name, kind = attr["name"], attr.get("type")
            self.paths[name] = path
            self.names[name] = _identifier(name)
            if kind == "discrete":
                self.kinds[name] = "discrete"
                self.discrete[name] = self._shares(attr.get("values"), f"{path}.values")
            elif kind == "continuous":
                self.laws[name] = self._law(attr.get("values"), f"{path}.values", f'case attribute "{name}"')
                self.kinds[name] = "continuous"
            else:
                raise _fail(self.file, f"{path}.type", f"expected discrete or continuous, got {kind!r}")

    def _law(self, spec: Any, path: str, element: str) -> tuple[Any, float, float] | float:
        """A continuous attribute's law as Prosimos samples it: (scipy law, lo, hi), or a fixed value."""
        from .prosimos import map_distribution, prosimos_law  # one reading of Prosimos distributions

        if not isinstance(spec, Mapping):
            raise _fail(self.file, path, "expected {distribution_name, distribution_params}")
        dist_name = str(spec.get("distribution_name", "")).lower()
        map_distribution(spec, element=element, file=self.file)  # checks name and arity
        v = [float(p["value"] if isinstance(p, Mapping) else p) for p in spec["distribution_params"]]
        if dist_name == "fix":
            return v[0]
        if dist_name == "uniform":
            from scipy import stats

            return (stats.uniform(v[0], v[1] - v[0]), v[0], v[1])
        if dist_name in ("norm", "expon", "lognorm", "gamma"):
            law, lo, hi = prosimos_law(dist_name, v)
            return v[0] if law is None else (law, lo, hi)
        raise _fail(self.file, f"{path}.distribution_name", f"{dist_name} is not supported for a continuous attribute; use "
                    "norm, expon, lognorm, gamma, uniform or fix")

    def _shares(self, values: Any, path: str) -> list[tuple[Any, float]]:
        """Discrete ``[{key, value}]`` as (key, share) pairs adding up to 1 (Prosimos refuses other sums too)."""
        if not isinstance(values, list) or not values:
            raise _fail(self.file, path, "expected a list of {key, value} with value the share")
        pairs = []
        for j, item in enumerate(values):
            try:
                key = item["key"]  # kept as given: Prosimos compares it with the rule's value as it is (1 != "1")
                if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                    raise TypeError
                pairs.append((key, float(item["value"])))
            except (KeyError, TypeError, ValueError):
                raise _fail(self.file, f"{path}[{j}]", f"expected {{key: text or number, value: share}}, got {item!r}") from None
        total = sum(s for _, s in pairs)
        if abs(total - 1) > 1e-6 or any(s < 0 for _, s in pairs):
            # Prosimos refuses this too (InvalidCaseAttributeException, InvalidEventAttributeException)
            raise _fail(self.file, path, f"shares must be >= 0 and add up to 1, got {total:g}")
        return pairs

    def _event_attributes(self, block: Any) -> dict[str, str]:
        """Each event attribute's updates (``self.updates``); the first place each name is set, for messages."""
        if not isinstance(block, list):
            raise _fail(self.file, "event_attributes", "expected a list of {event_id, attributes}")
        out: dict[str, str] = {}
        for i, ev in enumerate(block):
            attrs = ev.get("attributes") if isinstance(ev, Mapping) else None
            if not isinstance(attrs, list):
                raise _fail(self.file, f"event_attributes[{i}]", "expected {event_id, attributes: [...]}")
            task = str(ev.get("event_id", ""))
            for j, attr in enumerate(attrs):
                path = f"event_attributes[{i}].attributes[{j}]"
                name = attr.get("name") if isinstance(attr, Mapping) else None
                if not isinstance(name, str) or not name.strip():
                    raise _fail(self.file, path, "expected {name, type, values}")
                out.setdefault(name, f"{path} (event {task!r})")
                kind, values = attr.get("type"), attr.get("values")
                if kind == "discrete" and isinstance(values, list):
                    update: tuple[str, Any] = ("discrete", self._shares(values, f"{path}.values"))
                elif kind == "continuous":
                    update = ("continuous", self._law(values, f"{path}.values", f'event attribute "{name}"'))
                elif kind == "discrete" and isinstance(values, Mapping):
                    update = ("other", "a Markov chain (the next value drawn from the current one)")
                elif kind in ("expression", "dtree"):
                    update = ("other", f"a {kind} (a value computed from other attributes)")
                else:
                    raise _fail(self.file, f"{path}.type", f"expected discrete, continuous, expression or dtree, got {kind!r}")
                self.updates.setdefault(name, []).append((task, path, *update))
        return out

    # -- rules --------------------------------------------------------------------------------
    def _rules(self, block: Any) -> dict[str, tuple[str, list[list[tuple[str, str, Any]]]]]:
        if not isinstance(block, list):
            raise _fail(self.file, "branch_rules", "expected a list of {id, rules: [[{attribute, comparison, value}]]}")
        out: dict[str, tuple[str, list[list[tuple[str, str, Any]]]]] = {}
        for i, rule in enumerate(block):
            path = f"branch_rules[{i}]"
            if not isinstance(rule, Mapping) or "id" not in rule or not isinstance(rule.get("rules"), list):
                raise _fail(self.file, path, "expected {id, rules: [[{attribute, comparison, value}, ...], ...]}")
            ors = []
            for a, conj in enumerate(rule["rules"]):
                if not isinstance(conj, list):
                    raise _fail(self.file, f"{path}.rules[{a}]", "expected a list of {attribute, comparison, value} (all must hold)")
                ands = []
                for b, term in enumerate(conj):
                    where = f"{path}.rules[{a}][{b}]"
                    if not isinstance(term, Mapping) or not {"attribute", "comparison", "value"} <= set(term):
                        raise _fail(self.file, where, f"expected {{attribute, comparison, value}}, got {term!r}")
                    ands.append((str(term["attribute"]), str(term["comparison"]), term["value"], where))
                ors.append(ands)
            out[str(rule["id"])] = (path, ors)  # type: ignore[assignment]
        return out

    def _event_kind(self, attribute: str, where: str, gateway: str) -> None:
        """Check that a rule can read the event attribute ``attribute``; record its kind."""
        if attribute in self.globals:
            raise _fail(self.file, where, f'gateway "{gateway}" routes on "{attribute}", a global attribute '
                        f"({self.globals[attribute]}: one value shared by all cases, changed by any case's task); ReformSim "
                        "keeps attributes per case. Make it a case or event attribute, or route this gateway by probabilities")
        ups = self.updates[attribute]
        other = next((u for u in ups if u[2] == "other"), None)
        if other is not None:
            raise _fail(self.file, f"{other[1]}.type", f'gateway "{gateway}" routes on "{attribute}" ({where}), which task '
                        f'"{other[0]}" sets by {other[3]}; ReformSim sets an attribute from fixed values and shares only. Give '
                        "it discrete values with shares (or a distribution), or route this gateway by probabilities")
        kinds = {u[2] for u in ups}
        if len(kinds) > 1:
            raise _fail(self.file, ups[0][1], f'"{attribute}" is set with discrete values by some tasks and from a distribution '
                        "by others; a rule can compare it in one way only: give every task the same type")
        self.kinds[attribute] = kinds.pop()
        self.updates_kind[attribute] = self.kinds[attribute]
        self.names[attribute] = _identifier(attribute)
        self.paths.setdefault(attribute, ups[0][1])

    def _set_on_tasks(self, attribute: str) -> list[tuple[str, str, Any, str]]:
        """The updates of an event attribute made by a task of the process (Prosimos sets them only when a task ends)."""
        return [u for u in self.updates.get(attribute, []) if self.tasks is None or u[0] in self.tasks]

    def _term(self, attribute: str, comparison: str, value: Any, where: str, gateway: str) -> str:
        if attribute in self.globals or attribute in self.updates:
            self._event_kind(attribute, where, gateway)
            if not self._set_on_tasks(attribute):
                self.notes.append(f'gateway "{gateway}": {where} reads the event attribute "{attribute}", which no task of the '
                                  "process sets; the rule is false, as in Prosimos")
                return "False"
        if attribute not in self.kinds:
            # Prosimos: a rule on an attribute the case does not have is false
            self.notes.append(f'gateway "{gateway}": {where} reads "{attribute}", which no case attribute defines; '
                              "the rule is false, as in Prosimos")
            return "False"
        self.read.add(attribute)
        ident, kind = self.names[attribute], self.kinds[attribute]
        if comparison == "in":
            try:
                lo = float(value[0])
                hi = math.inf if str(value[1]).strip().lower() == "inf" else float(value[1])
            except (TypeError, ValueError, IndexError, KeyError):
                raise _fail(self.file, f"{where}.value", f'"in" expects [min, max] (max may be "inf"), got {value!r}') from None
            if kind == "discrete":
                raise _fail(self.file, where, f'"{attribute}" is a discrete attribute (text values); a range "in" cannot '
                            "compare with text (Prosimos 2.1.0 stops with a TypeError here); use comparison \"=\"")
            self.bounds.setdefault(attribute, set()).update(b for b in (lo, hi) if math.isfinite(b))
            if lo == hi:
                return "False"  # equality with a continuous value: probability 0
            guard = f"{ident} != None and " if attribute in self.updates_kind else ""  # no value before a task sets it: false
            return f"({guard}{lo!r} <= {ident} <= {hi!r})" if math.isfinite(hi) else f"({guard}{ident} >= {lo!r})"
        unset = attribute in self.updates_kind  # an event attribute: no value before a task sets it, and a rule on it is false
        if comparison in _ORDERED:
            if kind == "continuous":
                try:
                    bound = float(value)
                except (TypeError, ValueError):
                    raise _fail(self.file, f"{where}.value", f'"{comparison}" compares the continuous attribute "{attribute}" '
                                f"with {value!r}, which is not a number (Prosimos 2.1.0 stops with a TypeError here)") from None
                if comparison == "!=":
                    return f"({ident} != None)" if unset else "True"  # differs from one number with probability 1
                self.bounds.setdefault(attribute, set()).add(bound)
                return f"({ident} != None and {ident} {comparison} {bound!r})" if unset else f"({ident} {comparison} {bound!r})"
            held = tuple(k for k in self._keys(attribute) if _compare(k, comparison, value, self.file, where, attribute))
            return f"({ident} in {held!r})" if held else "False"
        if kind == "continuous":
            self.notes.append(f'gateway "{gateway}": {where} compares the continuous attribute "{attribute}" with '
                              f"{value!r} by equality, which Prosimos tests against the text; never true")
            return "False"
        if comparison not in ("=", "=="):
            self.notes.append(f'gateway "{gateway}": {where} comparison "{comparison}" is read as equality, as Prosimos 2.1.0 '
                              "reads any comparison other than in, >, >=, <, <= and !=")
        if not isinstance(value, (str, int, float)):
            raise _fail(self.file, f"{where}.value", f"expected a text or a number to compare with, got {value!r}")
        return f"({ident} == {value!r})"

    def _keys(self, attribute: str) -> list[Any]:
        """Every value a discrete attribute can take: its own values, or those the tasks that set it give it."""
        if attribute in self.discrete:
            return [k for k, _ in self.discrete[attribute]]
        return list(dict.fromkeys(k for _, _, kind, pairs in self._set_on_tasks(attribute) if kind == "discrete" for k, _ in pairs))

    def expression(self, rule_id: str, gateway: str) -> str | None:
        """The rule as a restricted expression; ``None`` when no rule has this id (Prosimos: always holds)."""
        if rule_id not in self.rules:
            return None
        _, ors = self.rules[rule_id]
        parts = [" and ".join(self._term(*t, gateway) for t in ands) or "True" for ands in ors]  # type: ignore[misc]
        return " or ".join(f"({p})" if len(ors) > 1 else p for p in parts) or "False"

    # -- scenario ---------------------------------------------------------------------------------
    def _intervals(self, name: str, law: tuple[Any, float, float] | float | None = None,
                   path: str | None = None) -> list[tuple[float, float]]:
        """Representative value and probability of each interval between the rules' bounds (``law``: the
        case attribute's own unless given, e.g. one task's law for an event attribute)."""
        law = self.laws[name] if law is None else law
        if isinstance(law, float):
            return [(law, 1.0)]
        dist, lo, hi = law
        cuts = sorted(b for b in self.bounds.get(name, set()) if lo < b < hi)
        edges = [lo, *cuts, hi]
        mass = float(dist.cdf(hi) - dist.cdf(lo))
        if mass <= 1e-12:
            raise _fail(self.file, path or self.paths[name], f"the distribution has no probability between {lo:g} and {hi:g}")
        out = []
        for a, b in zip(edges, edges[1:]):
            share = float(dist.cdf(b) - dist.cdf(a)) / mass
            if share > 1e-12:
                rep = (a + b) / 2 if math.isfinite(b) else a + 1.0
                out.append((rep, share))
        return out

    def scenario_attributes(self) -> dict[str, dict[str, Any]]:
        """The ``attributes:`` block of the scenario mapping: every attribute a used rule reads."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.kinds:
            if name in self.updates_kind:
                if name in self.read:
                    out[self.names[name]] = self._set_by(name)
                continue
            if name not in self.read:
                self.notes.append(f'case attribute "{name}": no branch rule reads it; left out (in Prosimos it only labels the log)')
                continue
            src = f"prosimos: {self.paths[name]}"
            if self.kinds[name] == "discrete":
                values = dict(self.discrete[name])
            else:
                values = dict(self._intervals(name))
                self.notes.append(f'case attribute "{name}": continuous; only its ranges matter to the rules, so it takes '
                                  f"one value per range between the rules' bounds ({', '.join(f'{v:g}: {s:.4f}' for v, s in values.items())}), "
                                  "each with its probability under the law Prosimos samples")
            if self.names[name] != name:
                self.notes.append(f'case attribute "{name}" is named {self.names[name]} in the conditions')
            out[self.names[name]] = {"values": values, "source": src}
        out.update(self.extra)
        for name, where in self.event_set.items():
            if name not in self.read and name not in self.updates_kind:
                self.notes.append(f'event attribute "{name}" ({where}): no branch rule reads it; left out '
                                  "(in Prosimos it only labels the log)")
        return out


    def _set_by(self, name: str) -> dict[str, Any]:
        """An event attribute some rule reads, as ``attributes.<name>`` with ``set_by`` (no value before a task sets it)."""
        set_by: dict[str, dict[Any, float]] = {}
        paths = []
        for task, path, kind, payload in self.updates[name]:
            if self.tasks is not None and task not in self.tasks:
                self.notes.append(f'event attribute "{name}" ({path}): "{task}" is not a task of the process, so nothing sets '
                                  "it there (Prosimos 2.1.0 sets event attributes only when a task ends)")
                continue
            if task in set_by:
                self.notes.append(f'event attribute "{name}" ({path}): task "{task}" sets it twice; the last one counts, as in Prosimos')
            set_by[task] = dict(payload) if kind == "discrete" else dict(self._intervals(name, payload, path))
            paths.append(path)
        self.notes.append(f'event attribute "{name}": set when {", ".join(f"task {t!r}" for t in set_by)} ends '
                          "(attributes.set_by); before that it has no value and a rule on it is false, as in Prosimos. "
                          "Prosimos sets it when it schedules the task (its whole duration at once), so a gateway on a "
                          "parallel branch may see the value before the task has ended; ReformSim sets it at the end"
                          + ("; continuous, so each task gives one value per range between the rules' bounds, with that "
                             "range's probability under the law Prosimos samples" if self.kinds[name] == "continuous" else ""))
        if self.names[name] != name:
            self.notes.append(f'event attribute "{name}" is named {self.names[name]} in the conditions')
        return {"set_by": set_by, "source": f"prosimos: {', '.join(paths) or self.updates[name][0][1]}"}


_ORDERED = (">", ">=", "<", "<=", "!=")


def _compare(key: Any, comparison: str, value: Any, file: str, where: str, attribute: str) -> bool:
    """Prosimos 2.1.0's ``BranchConditionRule.is_rule_true`` for ``>``, ``>=``, ``<``, ``<=``, ``!=``: both sides as
    numbers when both read as numbers, else as given.

    >>> _compare("10", ">", "9", "x.json", "r", "a"), _compare("b", ">", "a", "x.json", "r", "a")
    (True, True)
    """
    import operator

    op = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "!=": operator.ne}[comparison]
    try:
        a, b = float(key), float(value)
    except (TypeError, ValueError):
        a, b = key, value
    try:
        return bool(op(a, b))
    except TypeError:
        raise _fail(file, f"{where}.value", f'"{comparison}" compares "{attribute}" value {key!r} with {value!r}: one is a '
                    "number, the other text (Prosimos 2.1.0 stops with a TypeError here); compare like with like") from None


def _orders(k: int, weights: Sequence[float]) -> dict[str, float]:
    """Every order of ``k`` flows with its Plackett–Luce probability (draw without replacement by weight)."""
    out: dict[str, float] = {}
    for perm in itertools.permutations(range(k)):
        p, left = 1.0, sum(weights)
        for j in perm:
            if left <= 0:
                break
            p *= weights[j] / left
            left -= weights[j]
        out["".join(map(str, perm))] = p
    total = sum(out.values())
    return {o: p / total for o, p in out.items() if p > 0}


def _subsets(p: Sequence[float]) -> dict[str, float]:
    """The branches an inclusive gateway draws (Prosimos's ``Choice.get_multiple_flows``): each flow on its own with its
    probability; none drawn → one flow by the probabilities scaled to 1. Keys list the flows' positions.

    >>> _subsets([0.5, 0.5])
    {'0': 0.375, '1': 0.375, '01': 0.25}
    """
    total = sum(p)
    out: dict[str, float] = {}
    for mask in range(1, 2 ** len(p)):
        chosen = [j for j in range(len(p)) if mask >> j & 1]
        out["".join(map(str, chosen))] = math.prod(p[j] if j in chosen else 1 - p[j] for j in range(len(p)))
    none = math.prod(1 - x for x in p)
    for j, x in enumerate(p):
        out[str(j)] += none * (x / total if total > 0 else 1 / len(p))
    out = {k: v for k, v in out.items() if v > 0}
    return dict(sorted(out.items(), key=lambda kv: (len(kv[0]), kv[0])))


def gateway_conditions(rules: BranchRules, gateway: str, flows: Sequence[str], probs: Mapping[str, float],
                       candidates: Mapping[str, str], default: str | None, inclusive: bool, where: str) -> dict[str, str]:
    """A condition per outgoing flow of ``gateway`` that routes as Prosimos 2.1.0 does (see module doc).

    ``candidates`` maps a flow to its ``condition_id``; ``probs`` are the branching probabilities.
    """
    exprs = {f: rules.expression(cid, gateway) for f, cid in candidates.items()}
    holds = {f: ("True" if e is None else e) for f, e in exprs.items()}
    if inclusive:
        # Prosimos: every flow whose rule holds; none → the default, else its independent draws by the probabilities
        if len(holds) != len(flows) or any(e is None for e in exprs.values()):
            raise _fail(rules.file, where, f'inclusive gateway "{gateway}" with branch rules: ReformSim follows it only '
                        "when every outgoing flow has a condition_id naming a rule (Prosimos mixes rules and draws otherwise); "
                        "add them, or route the gateway by probabilities")
        none = " and ".join(f"not ({e})" for e in holds.values())
        if default is not None:
            return {f: (f"({holds[f]}) or ({none})" if f == default else holds[f]) for f in flows}
        if len(flows) > MAX_DRAWN_BRANCHES:
            raise _fail(rules.file, where, f'inclusive gateway "{gateway}" has {len(flows)} flows and no default, where Prosimos '
                        f"draws the branches when no rule holds; ReformSim follows such a draw for at most {MAX_DRAWN_BRANCHES} flows")
        pick = f"pick_{_identifier(gateway)}"
        subsets = _subsets([max(probs.get(f, 0.0), 0.0) for f in flows])
        rules.extra[pick] = {"values": subsets, "source": f"prosimos: {where} probabilities (the branches Prosimos draws, "
                                                          "Choice.get_multiple_flows, when no rule holds)"}
        rules.notes.append(f'inclusive gateway "{gateway}": when no branch rule holds and there is no default, Prosimos draws the '
                           f"branches by their probabilities; the draw is the case attribute {pick}, made once per case")
        return {f: f"({holds[f]}) or (({none}) and {pick} in {tuple(k for k in subsets if str(j) in k)!r})"
                for j, f in enumerate(flows)}
    index = {f: i for i, f in enumerate(flows)}
    weights = [max(probs.get(f, 0.0), 0.0) for f in flows]
    none = " and ".join(f"not ({e})" for e in holds.values()) or "True"
    need_order = len(holds) > 1 or default is None
    if need_order and len(flows) > MAX_DRAWN_BRANCHES:
        raise _fail(rules.file, where, f'gateway "{gateway}" has {len(flows)} flows where Prosimos may draw among '
                    f"several whose rules hold; ReformSim follows such a draw for at most {MAX_DRAWN_BRANCHES} flows")
    order = f"order_{_identifier(gateway)}"
    if need_order:
        orders = _orders(len(flows), weights)
        rules.extra[order] = {"values": orders, "source": f"prosimos: {where} probabilities (Plackett–Luce order, "
                                                          "the draw Prosimos makes among the flows whose rules hold)"}
        rules.notes.append(f'gateway "{gateway}": where several branch rules hold (or none and there is no default), '
                           f"Prosimos draws by the branching probabilities; the draw is the case attribute {order}, made "
                           "once per case (Prosimos draws at every visit, which differs only if the gateway is revisited)")

    def before(j: int, i: int) -> str:
        return f"{order} in {tuple(o for o in rules.extra[order]['values'] if o.index(str(j)) < o.index(str(i)))!r}"

    out = {}
    for f in flows:
        j = index[f]
        parts = []
        if f in holds:
            guard = [f"not ({holds[g]}) or {before(j, index[g])}" for g in holds if g != f] if need_order else \
                    [f"not ({holds[g]})" for g in holds if g != f]
            parts.append(" and ".join([f"({holds[f]})", *(f"({x})" for x in guard)]))
        if default is not None:
            if f == default:
                parts.append(f"({none})")
        else:
            first = tuple(o for o in rules.extra[order]["values"] if o[0] == str(j))
            parts.append(f"({none}) and {order} in {first!r}")
        out[f] = " or ".join(f"({p})" for p in parts) if parts else "False"
    return out
