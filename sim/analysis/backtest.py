"""The trade backtest: a prediction of 2021 clearance time from 2020 data and the plan's measures.

The trade baselines are calibrated to Hainan's measured 2020 clearance times
(``HN.customs.clearance.2020``); the 2021 model is the same process with the plan's measures
(seed 二(八)2(2): 提前申报, 两步申报, 船边直提, 抵港直装) used by a larger share of shipments.
How many shipments use a measure in 2020 and in 2021, and how much of the usual step's time it
leaves, are assumptions with ranges (``sim/data/trade_measures.yaml``).

The prediction runs a small space-filling design over all those ranges (a Latin hypercube,
``scipy.stats.qmc``). At each point it simulates the baseline at the point's 2020 shares and the
2021 model at its 2021 shares, both with the point's effects and the same seed (common random
numbers), and recalibrates: a clearance chain is pure elapsed time (no staff queue, no office
hours), so every case's time is proportional to the one calibrated scale and the 2021 time is
``measured 2020 x (2021 mean / 2020 mean)``. The value is that ratio at the middle of every range;
the interval is the lowest and highest over the design. Nothing in it is tuned to a 2021 figure:
it can be held against the measured 2021 figure.

Example:
    >>> m = load_measures()
    >>> [x.attribute for x in m["trade_export"].measures]
    ['advance_declaration', 'direct_loading']
    >>> m["trade_import"].measures[0].mid_2021, m["trade_import"].measures[0].step
    (0.6, 't_advance_declare')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import ReformSimError
from ..sources import resolve

__all__ = ["MEASURES_FILE", "BacktestError", "Measure", "ChainMeasures", "Prediction", "load_measures", "design",
           "predict", "predict_all", "format_predictions", "prediction_rows", "TITLE", "DEFAULT_POINTS"]

MEASURES_FILE = Path(__file__).resolve().parents[1] / "data" / "trade_measures.yaml"
TITLE = {"zh": "2021年预测（回测：2020年实测数据＋方案举措）", "en": "2021 prediction (backtest: 2020 data + the plan's measures)"}
# assumption: 16 points are enough for a min-max interval over 6-9 ranges (a Latin hypercube puts one
# point in each sixteenth of every range); more points widen it only towards the corners.
DEFAULT_POINTS = 16
Range = tuple[float, float]


class BacktestError(ReformSimError):
    """The measures file is malformed, or a model cannot carry the backtest (names the file and the YAML path)."""


def _mid(r: Range) -> float:
    return round((r[0] + r[1]) / 2, 6)


@dataclass(frozen=True)
class Measure:
    """One measure of the plan: the case attribute that marks a shipment using it, its shares and its effect."""

    attribute: str
    clause: str
    label: dict[str, str]
    share_2020: Range
    share_2021: Range
    source: str
    step: str  # the step a shipment using the measure takes ...
    usual: str  # ... instead of this one
    left: Range  # the share of the usual step's time the measure leaves
    effect_source: str

    @property
    def mid_2020(self) -> float:
        """The 2020 share the committed baseline uses."""
        return _mid(self.share_2020)

    @property
    def mid_2021(self) -> float:
        """The 2021 share the committed 2021 model uses."""
        return _mid(self.share_2021)

    @property
    def mid_left(self) -> float:
        """The effect both committed models use."""
        return _mid(self.left)


@dataclass(frozen=True)
class ChainMeasures:
    chain: str
    label: dict[str, str]
    measured: str  # id in sim/data/sources.yaml of the 2020 measurement the baseline is calibrated to
    baseline: str  # file names in processes/
    model: str
    metric: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class Prediction:
    """A predicted 2021 mean with its interval over the assumption ranges, and how it was derived."""

    chain: str
    label: dict[str, str]
    metric: str
    value: float
    interval: tuple[float, float]
    measured_2020: float
    measured_id: str
    baseline_mean: float  # the committed baseline, simulated (what the calibration table shows)
    model_mean: float  # the committed 2021 model, simulated (what the register's verdicts judge)
    points: list[dict[str, Any]] = field(default_factory=list)  # each design point: its inputs and prediction
    derivation: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "label": self.label, "metric": self.metric, "value": self.value,
                "interval": list(self.interval), "measured_2020": {"value": self.measured_2020, "source": self.measured_id},
                "baseline_model": self.baseline_mean, "model_2021": self.model_mean, "points": self.points,
                "derivation": self.derivation}


def _share(where: str, x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0.0 <= float(x) <= 1.0:
        raise BacktestError(f"{where}: expected a share between 0 and 1, got {x!r}")
    return float(x)


def _range(where: str, x: Any, *, positive: bool = False) -> Range:
    if not isinstance(x, list) or len(x) != 2:
        raise BacktestError(f"{where}: expected [low, high], got {x!r}")
    low, high = _share(f"{where}[0]", x[0]), _share(f"{where}[1]", x[1])
    if low > high:
        raise BacktestError(f"{where}: low {low} is above high {high}")
    if positive and low <= 0:
        raise BacktestError(f"{where}: a measure leaves some of the step's time; expected low > 0, got {low}")
    return low, high


def _assumption(where: str, x: Any) -> str:
    if not str(x or "").startswith("assumption:"):
        raise BacktestError(f"{where}: a number no one published must say 'assumption:' and why")
    return str(x)


def _measure(w: str, m: Any) -> Measure:
    keys = ("attribute", "clause", "label", "share_2020", "share_2021", "source", "effect", "effect_source")
    if not isinstance(m, dict) or any(k not in m for k in keys):
        raise BacktestError(f"{w}: expected {', '.join(keys)}")
    e = m["effect"]
    if not isinstance(e, dict) or any(k not in e for k in ("step", "usual", "left")):
        raise BacktestError(f"{w}.effect: expected {{step, usual, left: [low, high]}}")
    s20, s21 = _range(f"{w}.share_2020", m["share_2020"]), _range(f"{w}.share_2021", m["share_2021"])
    if s20[1] > s21[0]:
        raise BacktestError(f"{w}: the 2020 range ends at {s20[1]}, above the 2021 range's start {s21[0]} "
                            "(the plan extends a measure; a design point would roll it back)")
    return Measure(str(m["attribute"]), str(m["clause"]), dict(m["label"]), s20, s21, _assumption(f"{w}.source", m["source"]),
                   str(e["step"]), str(e["usual"]), _range(f"{w}.effect.left", e["left"], positive=True),
                   _assumption(f"{w}.effect_source", m["effect_source"]))


def load_measures(path: str | Path = MEASURES_FILE) -> dict[str, ChainMeasures]:
    """Chain → its measures, checked (a share outside 0..1, a range upside down, a missing source are errors)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BacktestError(f"{path}: cannot read the measures file: {exc}") from exc
    chains = data.get("chains") if isinstance(data, dict) else None
    if not isinstance(chains, dict) or not chains:
        raise BacktestError(f"{path}: chains: expected a mapping chain -> {{measured, baseline, model, metric, measures}}")
    out = {}
    for chain, spec in chains.items():
        where = f"{path}: chains.{chain}"
        keys = ("label", "measured", "baseline", "model", "metric", "measures")
        if not isinstance(spec, dict) or any(k not in spec for k in keys):
            raise BacktestError(f"{where}: expected keys {', '.join(keys)}")
        if resolve(str(spec["measured"])) is None:
            raise BacktestError(f"{where}.measured: {spec['measured']!r} is not an id of sim/data/sources.yaml")
        measures = tuple(_measure(f"{where}.measures[{i}]", m) for i, m in enumerate(spec["measures"] or []))
        if not measures:
            raise BacktestError(f"{where}.measures: expected at least one measure")
        out[str(chain)] = ChainMeasures(str(chain), dict(spec["label"]), str(spec["measured"]), str(spec["baseline"]),
                                        str(spec["model"]), str(spec["metric"]), measures)
    return out


def _ranges(measures: tuple[Measure, ...]) -> list[Range]:
    """The design's columns: per measure its 2020 share, its 2021 share and its effect."""
    return [r for m in measures for r in (m.share_2020, m.share_2021, m.left)]


def design(measures: tuple[Measure, ...], n: int = DEFAULT_POINTS, seed: int = 0) -> np.ndarray:
    """``n`` Latin-hypercube points, three columns per measure (2020 share, 2021 share, effect), inside the ranges."""
    from scipy.stats import qmc

    lo, hi = np.array(_ranges(measures)).T
    unit = qmc.LatinHypercube(d=len(lo), seed=np.random.default_rng(seed)).random(n)
    return lo + unit * (hi - lo)  # qmc.scale refuses a zero-width range; a fixed number is a fair input


def _pure_delay(process: Any) -> None:
    """The ratio recalibration holds only when every case's time is proportional to its waits."""
    for n in process.tasks():
        f = n.facts
        if f.work is not None or (f.wait is not None and f.wait.unit != "hour"):
            raise BacktestError(f"{process.file or process.id}: step {n.id} has staff work or a wait in "
                                f"{f.wait.unit if f.wait else 'work'}; the backtest needs elapsed hours only")


def _mean(process: Any, shares: dict[str, float], effects: dict[str, float], measures: tuple[Measure, ...], metric: str, *,
          cases: int, replications: int, seed: int) -> float:
    """The pooled mean of ``metric`` at the given shares and effects, other attributes at the process's defaults.

    Every attribute is passed, in the sorted order a run without a scenario uses, so each keeps its slot
    of the random row: the same case draws the same numbers at every design point.
    """
    from ..engine.runner import simulate
    from ..model.scenario import parse_scenario

    attributes = {}
    for name in process.attributes():
        if name in shares:
            attributes[name] = {"p": shares[name], "source": "backtest design point (sim/data/trade_measures.yaml)"}
            continue
        key = f"attribute.{name}"
        if key not in process.defaults:
            raise BacktestError(f"{process.file or process.id}: attribute {name} has no default share ({key})")
        attributes[name] = {"p": float(process.defaults[key]), "source": "process default"}
    unknown = sorted(set(shares) - set(attributes))
    if unknown:
        raise BacktestError(f"{process.file or process.id}: no gateway reads the measure attribute(s) {', '.join(unknown)}")
    steps = {}
    for m in measures:
        usual = process.nodes.get(m.usual)
        if usual is None or m.step not in process.nodes or usual.facts is None or usual.facts.wait is None:
            raise BacktestError(f"{process.file or process.id}: measure {m.attribute} needs steps {m.step} and {m.usual} "
                                "(with a wait) in the model")
        steps[m.step] = {"wait": f"{usual.facts.wait.dist.scaled(effects[m.attribute])!r} h",
                         "source": f"{m.usual} wait x {effects[m.attribute]:.4g} (backtest design point)"}
    scenario = parse_scenario({"cases": cases, "replications": replications, "seed": seed, "attributes": attributes,
                               "steps": steps})
    return float(simulate(process, scenario).summary()["kpis"][metric]["mean"])


def predict(spec: ChainMeasures, processes: str | Path, *, cases: int = 300, replications: int = 5, seed: int = 7,
            points: int = DEFAULT_POINTS) -> Prediction:
    """The 2021 prediction of one chain: the recalibrated ratio at the middle of every range and at ``points`` design points."""
    from ..bpmn.loader import load_process

    folder = Path(processes)
    baseline, model = load_process(folder / spec.baseline), load_process(folder / spec.model)
    _pure_delay(baseline)
    _pure_delay(model)
    measured = float(resolve(spec.measured)["value"])  # type: ignore[index] - checked by load_measures
    ms = spec.measures
    run = {"cases": cases, "replications": replications, "seed": seed}

    def at(s20: dict[str, float], s21: dict[str, float], left: dict[str, float]) -> tuple[float, float, float]:
        m20 = _mean(baseline, s20, left, ms, spec.metric, **run)
        m21 = _mean(model, s21, left, ms, spec.metric, **run)
        return measured * m21 / m20, m20, m21

    value, base, m21 = at({m.attribute: m.mid_2020 for m in ms}, {m.attribute: m.mid_2021 for m in ms},
                          {m.attribute: m.mid_left for m in ms})
    rows = []
    for x in design(ms, points, seed):
        cols = x.reshape(len(ms), 3)
        s20 = {m.attribute: float(c[0]) for m, c in zip(ms, cols)}
        s21 = {m.attribute: float(c[1]) for m, c in zip(ms, cols)}
        left = {m.attribute: float(c[2]) for m, c in zip(ms, cols)}
        pred, _, _ = at(s20, s21, left)
        rows.append({"share_2020": _rounded(s20), "share_2021": _rounded(s21), "left": _rounded(left), "prediction": pred})
    preds = [r["prediction"] for r in rows] + [value]
    return Prediction(spec.chain, spec.label, spec.metric, value, (min(preds), max(preds)), measured, spec.measured,
                      base, m21, rows, _derivation(spec, measured, base, m21, points, cases, replications, seed))


def _rounded(d: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in d.items()}


def _derivation(spec: ChainMeasures, measured: float, base: float, m21: float, points: int, cases: int, reps: int,
                seed: int) -> dict[str, str]:
    def pct(r: Range) -> str:
        return f"{r[0]:.0%}–{r[1]:.0%}"

    zh_m = "；".join(f"{m.clause}（使用比例2020年{pct(m.share_2020)}、2021年{pct(m.share_2021)}，"
                    f"所涉步骤用时剩{pct(m.left)}）" for m in spec.measures)
    en_m = "; ".join(f"{m.clause} {m.label['en']} (used by {pct(m.share_2020)} of shipments in 2020, "
                     f"{pct(m.share_2021)} in 2021; leaves {pct(m.left)} of the step's time)" for m in spec.measures)
    return {
        "zh": (f"基线 {spec.baseline} 按2020年实测 {measured:g} 小时（{spec.measured}）校准（模型 {base:.2f} 小时）；"
               f"2021年模型 {spec.model} 是同一流程、方案举措使用比例提高（模型 {m21:.2f} 小时）：{zh_m}，均为假设。"
               f"在全部假设区间内取 {points} 个拉丁超立方设计点（scipy.stats.qmc），每点以相同随机数（种子 {seed}，"
               f"{reps}×{cases} 件）模拟2020与2021两个模型，按实测值重新校准：预测 = 实测2020 × 2021均值 / 2020均值"
               "（通关链只有经过时间，用时与校准系数成正比）。预测值取各区间中点，区间为各设计点的最小至最大值。"
               "这是由2020年数据和方案举措得出的预测，未按任何2021年数字调整。"),
        "en": (f"Baseline {spec.baseline} calibrated to the measured 2020 figure {measured:g} h ({spec.measured}; model "
               f"{base:.2f} h). 2021 model {spec.model} = the same process with the plan's measures used by more shipments "
               f"(model {m21:.2f} h): {en_m}; all assumptions. {points} Latin-hypercube points over all the ranges "
               f"(scipy.stats.qmc); at each the 2020 and 2021 models run on the same random numbers (seed {seed}, "
               f"{reps} x {cases} cases) and are recalibrated to the measurement: prediction = measured 2020 x 2021 mean / "
               "2020 mean (a clearance chain is elapsed time only, so its time is proportional to the calibrated scale). "
               "The value is at the middle of every range, the interval the lowest to highest over the points. A prediction "
               "from 2020 data and the plan's measures, not tuned to any 2021 figure."),
    }


def predict_all(processes: str | Path, *, cases: int = 300, replications: int = 5, seed: int = 7,
                points: int = DEFAULT_POINTS, measures: str | Path = MEASURES_FILE) -> list[Prediction]:
    """Predictions for every chain of the measures file, from the models in ``processes``."""
    return [predict(spec, processes, cases=cases, replications=replications, seed=seed, points=points)
            for spec in load_measures(measures).values()]


def format_predictions(predictions: list[Prediction], lang: str = "zh") -> str:
    """Plain-text section for ``reformsim assess``."""
    lines = [TITLE[lang]]
    for p in predictions:
        lo, hi = p.interval
        if lang == "zh":
            lines.append(f"  {p.label['zh']}：预测 {p.value:.2f} 小时，区间 {lo:.2f}–{hi:.2f}（2020年实测 {p.measured_2020:g}）")
        else:
            lines.append(f"  {p.label['en']}: predicted {p.value:.2f} h, interval {lo:.2f}-{hi:.2f} (measured 2020: {p.measured_2020:g})")
        lines.append(f"    {p.derivation[lang]}")
    return "\n".join(lines)


def prediction_rows(predictions: list[Prediction], lang: str = "zh") -> list[dict[str, Any]]:
    """Table rows for the report (one per chain), e.g. ``prediction_rows(ps, "en")[0]["predicted"]``."""
    zh = lang == "zh"
    return [{("指标" if zh else "indicator"): p.label[lang], ("预测" if zh else "predicted"): round(p.value, 2),
             ("区间" if zh else "interval"): f"{p.interval[0]:.2f}–{p.interval[1]:.2f}",
             ("2020年实测" if zh else "measured 2020"): p.measured_2020, ("单位" if zh else "unit"): "h",
             ("推导" if zh else "derivation"): p.derivation[lang]} for p in predictions]
