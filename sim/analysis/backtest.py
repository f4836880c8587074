"""The trade backtest: a prediction of 2021 clearance time from 2020 data and the plan's measures.

The trade baselines are calibrated to Hainan's measured 2020 clearance times
(``HN.customs.clearance.2020``); the 2021 model is the same process with the plan's measures
(seed 二(八)2(2): 提前申报, 两步申报, 船边直提, 抵港直装) used by a larger share of shipments.
Those shares are assumptions with ranges (``sim/data/trade_measures.yaml``). The prediction
simulates the 2021 model at a small space-filling design over the ranges (a Latin hypercube,
``scipy.stats.qmc``), every point with the same seed (common random numbers, so points differ
by the shares, not by sampling noise). The value is the mean at the middle of the ranges; the
interval is the lowest and highest mean over the design. Nothing in it is tuned to a 2021 figure:
it can be held against the measured 2021 figure.

Example:
    >>> m = load_measures()
    >>> [x.attribute for x in m["trade_export"].measures]
    ['advance_declaration', 'direct_loading']
    >>> m["trade_import"].measures[0].middle
    0.6
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
           "predict", "predict_all", "format_predictions", "prediction_rows", "TITLE"]

MEASURES_FILE = Path(__file__).resolve().parents[1] / "data" / "trade_measures.yaml"
TITLE = {"zh": "2021年预测（回测：2020年实测数据＋方案举措）", "en": "2021 prediction (backtest: 2020 data + the plan's measures)"}
# assumption: 16 points cover 2-3 shares well enough for a min-max interval (a Latin hypercube puts one
# point in each sixteenth of every range); raising it widens the interval only towards the corners.
DEFAULT_POINTS = 16


class BacktestError(ReformSimError):
    """The measures file is malformed (names the file and the YAML path)."""


@dataclass(frozen=True)
class Measure:
    """One measure of the plan: the case attribute that marks a shipment using it, and its shares."""

    attribute: str
    clause: str
    label: dict[str, str]
    share_2020: float
    low: float
    high: float
    source: str

    @property
    def middle(self) -> float:
        """The 2021 share the committed 2021 model uses: the middle of the range."""
        return round((self.low + self.high) / 2, 6)


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
    baseline_mean: float
    points: list[dict[str, Any]] = field(default_factory=list)  # each design point: shares and the mean
    derivation: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "label": self.label, "metric": self.metric, "value": self.value,
                "interval": list(self.interval), "measured_2020": {"value": self.measured_2020, "source": self.measured_id},
                "baseline_model": self.baseline_mean, "points": self.points, "derivation": self.derivation}


def _share(where: str, x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0.0 <= float(x) <= 1.0:
        raise BacktestError(f"{where}: expected a share between 0 and 1, got {x!r}")
    return float(x)


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
        measures = []
        for i, m in enumerate(spec["measures"] or []):
            w = f"{where}.measures[{i}]"
            if not isinstance(m, dict) or any(k not in m for k in ("attribute", "clause", "label", "share_2020", "share_2021", "source")):
                raise BacktestError(f"{w}: expected attribute, clause, label, share_2020, share_2021 [low, high], source")
            rng = m["share_2021"]
            if not isinstance(rng, list) or len(rng) != 2:
                raise BacktestError(f"{w}.share_2021: expected [low, high], got {rng!r}")
            low, high = _share(f"{w}.share_2021[0]", rng[0]), _share(f"{w}.share_2021[1]", rng[1])
            if low > high:
                raise BacktestError(f"{w}.share_2021: low {low} is above high {high}")
            if not str(m["source"]).startswith("assumption:"):
                raise BacktestError(f"{w}.source: a share no one published must say 'assumption:' and why")
            measures.append(Measure(str(m["attribute"]), str(m["clause"]), dict(m["label"]),
                                    _share(f"{w}.share_2020", m["share_2020"]), low, high, str(m["source"])))
        if not measures:
            raise BacktestError(f"{where}.measures: expected at least one measure")
        out[str(chain)] = ChainMeasures(str(chain), dict(spec["label"]), str(spec["measured"]), str(spec["baseline"]),
                                        str(spec["model"]), str(spec["metric"]), tuple(measures))
    return out


def design(measures: tuple[Measure, ...], n: int = DEFAULT_POINTS, seed: int = 0) -> np.ndarray:
    """``n`` Latin-hypercube points of 2021 shares (one column per measure), e.g. ``design(m, 4).shape == (4, len(m))``."""
    from scipy.stats import qmc

    lo = np.array([m.low for m in measures])
    hi = np.array([m.high for m in measures])
    unit = qmc.LatinHypercube(d=len(measures), seed=np.random.default_rng(seed)).random(n)
    span = hi - lo
    return lo + unit * span  # qmc.scale refuses a zero-width range; a fixed share is a fair input


def _mean(process: Any, shares: dict[str, tuple[float, str]], metric: str, *, cases: int, replications: int,
          seed: int) -> float:
    """The pooled mean of ``metric`` with the given attribute shares, the others at the process's defaults.

    Every attribute is passed, in the sorted order a run without a scenario uses, so each attribute keeps
    its slot of the random row: the same case draws the same numbers at every design point.
    """
    from ..engine.runner import simulate
    from ..model.scenario import parse_scenario

    attributes = {}
    for name in process.attributes():
        p, src = shares.get(name, (None, ""))
        if p is None:
            key = f"attribute.{name}"
            if key not in process.defaults:
                raise BacktestError(f"{process.file or process.id}: attribute {name} has no default share (attribute.{name})")
            p, src = float(process.defaults[key]), "process default"
        attributes[name] = {"p": p, "source": src}
    unknown = sorted(set(shares) - set(attributes))
    if unknown:
        raise BacktestError(f"{process.file or process.id}: no gateway reads the measure attribute(s) {', '.join(unknown)}")
    scenario = parse_scenario({"cases": cases, "replications": replications, "seed": seed, "attributes": attributes})
    return float(simulate(process, scenario).summary()["kpis"][metric]["mean"])


def predict(spec: ChainMeasures, processes: str | Path, *, cases: int = 300, replications: int = 5, seed: int = 7,
            points: int = DEFAULT_POINTS) -> Prediction:
    """The 2021 prediction of one chain: the model at the middle of the ranges and at ``points`` design points."""
    from ..bpmn.loader import load_process

    folder = Path(processes)
    baseline = load_process(folder / spec.baseline)
    model = load_process(folder / spec.model)
    measured = float(resolve(spec.measured)["value"])  # type: ignore[index] - checked by load_measures
    # the baseline at its own (2020) shares, exactly as the calibration table runs it
    base = _mean(baseline, {}, spec.metric, cases=cases, replications=replications, seed=seed)
    value = _mean(model, {m.attribute: (m.middle, m.source) for m in spec.measures}, spec.metric,
                  cases=cases, replications=replications, seed=seed)
    rows = []
    for x in design(spec.measures, points, seed):
        shares = {m.attribute: (float(p), m.source) for m, p in zip(spec.measures, x)}
        mean = _mean(model, shares, spec.metric, cases=cases, replications=replications, seed=seed)
        rows.append({"shares": {a: round(p, 4) for a, (p, _) in shares.items()}, "mean": mean})
    means = [r["mean"] for r in rows] + [value]
    interval = (min(means), max(means))
    return Prediction(spec.chain, spec.label, spec.metric, value, interval, measured, spec.measured, base, rows,
                      _derivation(spec, measured, base, points, cases, replications, seed))


def _derivation(spec: ChainMeasures, measured: float, base: float, points: int, cases: int, reps: int,
                seed: int) -> dict[str, str]:
    zh_m = "；".join(f"{m.clause}（2020年{m.share_2020:.0%}，2021年{m.low:.0%}–{m.high:.0%}）" for m in spec.measures)
    en_m = "; ".join(f"{m.clause} {m.label['en']} (2020: {m.share_2020:.0%}; 2021: {m.low:.0%}-{m.high:.0%})"
                     for m in spec.measures)
    return {
        "zh": (f"基线 {spec.baseline} 按2020年实测 {measured:g} 小时（{spec.measured}）校准，模型 {base:.2f} 小时；"
               f"2021年模型 {spec.model} = 同一流程、方案举措使用比例提高：{zh_m}（比例均为假设）。"
               f"在假设区间内取 {points} 个拉丁超立方设计点（scipy.stats.qmc），各点用相同随机数（种子 {seed}，"
               f"{reps}×{cases} 件）；预测值取区间中点，区间为各设计点均值的最小至最大值。"
               "这是由2020年数据和方案举措得出的预测，未按任何2021年数字调整。"),
        "en": (f"Baseline {spec.baseline} calibrated to the measured 2020 figure {measured:g} h ({spec.measured}); "
               f"model {base:.2f} h. 2021 model {spec.model} = the same process with the plan's measures used by more "
               f"shipments: {en_m} (all shares are assumptions). {points} Latin-hypercube points over the ranges "
               f"(scipy.stats.qmc), each with the same random numbers (seed {seed}, {reps} x {cases} cases); the value "
               "is at the middle of the ranges, the interval the lowest to highest mean over the points. A prediction "
               "from 2020 data and the plan's measures, not tuned to any 2021 figure."),
    }


def predict_all(processes: str | Path, *, cases: int = 300, replications: int = 5, seed: int = 7,
                points: int = DEFAULT_POINTS, measures: str | Path = MEASURES_FILE) -> list[Prediction]:
    """Predictions for every chain of the measures file whose models are in ``processes``."""
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
