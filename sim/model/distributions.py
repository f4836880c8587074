"""Duration distributions, sampled by inverse CDF from one uniform number.

Sampling from a given uniform ``u`` (instead of from a generator) lets every executor draw a
case's random numbers up front, in the same order, so the ``compiled`` and ``spiff`` executors
see identical durations whatever order SimPy runs their events in.

Text form, as written in BPMN properties and scenarios (``repr`` gives it back)::

    2.5                       fixed(2.5)
    fixed(2.5)                always 2.5
    uniform(1, 3)             between 1 and 3
    triangular(1, 2, 4)       min, mode, max
    exponential(2)            mean 2
    truncexp(2, 0.5, 6)       0.5 + exponential(2), cut at 6 (as Prosimos's expon with min and max)
    lognormal(2, 0.5)         mean 2, standard deviation 0.5
    gamma(2, 0.5)             mean 2, standard deviation 0.5
    normal(2, 0.5)            mean 2, standard deviation 0.5, cut at 0

Example:
    >>> d = parse_distribution("triangular(1, 2, 4)")
    >>> d
    triangular(1, 2, 4)
    >>> round(d.mean, 4), d.sample(0.0), d.sample(1.0)
    (2.3333, 1.0, 4.0)
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DISTRIBUTION_NAMES",
    "Distribution",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Normal",
    "Triangular",
    "TruncatedExponential",
    "Uniform",
    "parse_distribution",
]


_SPECIAL = None


def _special():  # type: ignore[no-untyped-def]
    """scipy.special, imported on first use: only lognormal, gamma and normal need it, and importing it
    costs a fresh process a large part of its start-up."""
    global _SPECIAL
    if _SPECIAL is None:
        from scipy import special

        _SPECIAL = special
    return _SPECIAL


def _fmt(x: float) -> str:
    return f"{x:g}" if x == int(x) or abs(x) >= 1e-4 else repr(x)


class Distribution:
    """A non-negative duration distribution. Subclasses validate their arguments."""

    name = ""

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def variance(self) -> float:
        """The variance of the values :meth:`sample` gives (as Ciw's distributions state theirs)."""
        raise NotImplementedError

    @property
    def lower(self) -> float:
        """The lowest value :meth:`sample` can give (the lower limit of the support)."""
        return 0.0

    @property
    def upper(self) -> float:
        """The highest value :meth:`sample` can give; ``math.inf`` when unbounded."""
        return math.inf

    @property
    def is_fixed(self) -> bool:
        return False

    def sample(self, u: float) -> float:
        """The value at quantile ``u`` (0 ≤ u ≤ 1)."""
        raise NotImplementedError

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        """:meth:`sample` of every element of ``u`` (the fast executor draws a chunk of cases at once).

        Subclasses override it with the same arithmetic on arrays; this fallback is exact for any.

        >>> Triangular(1, 2, 4).sample_array(np.array([0.0, 1.0])).tolist()
        [1.0, 4.0]
        """
        return np.array([self.sample(float(x)) for x in u], dtype=float)

    def scaled(self, factor: float) -> Distribution:
        """The same shape with every value multiplied by ``factor`` (used by what-if edits)."""
        raise NotImplementedError

    def params(self) -> tuple[float, ...]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(_fmt(p) for p in self.params())})"


# The same libm log1p looped in compiled code, registered by the fast executor (numba belongs to the engine
# layer): the Python loop below cost a fifth of a fast run of an exponential-duration model.
_compiled_log1p: Callable[[np.ndarray, np.ndarray], None] | None = None


def register_compiled_log1p(loop: Callable[[np.ndarray, np.ndarray], None]) -> None:
    """Use ``loop(x, out)`` — ``out[i] = log1p(x[i])`` with libm's log1p — for arrays from now on."""
    global _compiled_log1p
    _compiled_log1p = loop


def _log1p(x: np.ndarray) -> np.ndarray:
    """``math.log1p`` of every element, bit for bit as :meth:`Distribution.sample` computes it.

    Why not ``np.log1p``: numpy's SIMD log1p (AVX-512 builds) differs from libm's in the last bit on
    some processors, and the ``fast`` executor must draw exactly what ``compiled`` draws.

    >>> _log1p(np.array([0.0, 1.0])).tolist() == [0.0, math.log1p(1.0)]
    True
    """
    if _compiled_log1p is not None:
        flat = np.ascontiguousarray(x, dtype=float).ravel()
        out = np.empty_like(flat)
        _compiled_log1p(flat, out)
        return out.reshape(np.shape(x))
    flat_list = np.asarray(x, dtype=float).ravel().tolist()
    return np.fromiter(map(math.log1p, flat_list), float, len(flat_list)).reshape(np.shape(x))


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


@dataclass(frozen=True, repr=False)
class Fixed(Distribution):
    value: float
    name = "fixed"

    def __post_init__(self) -> None:
        _check(self.value >= 0, f'"value" must be >= 0, got {self.value}')

    @property
    def mean(self) -> float:
        return self.value

    @property
    def is_fixed(self) -> bool:
        return True

    @property
    def variance(self) -> float:
        return 0.0

    @property
    def lower(self) -> float:
        return self.value

    @property
    def upper(self) -> float:
        return self.value

    def sample(self, u: float) -> float:
        return self.value

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        return np.full(len(u), self.value, dtype=float)

    def scaled(self, factor: float) -> Fixed:
        return Fixed(self.value * factor)

    def params(self) -> tuple[float, ...]:
        return (self.value,)


@dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    low: float
    high: float
    name = "uniform"

    def __post_init__(self) -> None:
        _check(0 <= self.low <= self.high, f'need 0 <= "low" <= "high", got low={self.low}, high={self.high}')

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    @property
    def lower(self) -> float:
        return self.low

    @property
    def upper(self) -> float:
        return self.high

    def sample(self, u: float) -> float:
        return self.low + (self.high - self.low) * u

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u

    def scaled(self, factor: float) -> Uniform:
        return Uniform(self.low * factor, self.high * factor)

    def params(self) -> tuple[float, ...]:
        return (self.low, self.high)


@dataclass(frozen=True, repr=False)
class Triangular(Distribution):
    low: float
    mode: float
    high: float
    name = "triangular"

    def __post_init__(self) -> None:
        _check(
            0 <= self.low <= self.mode <= self.high and self.low < self.high,
            f'need 0 <= "low" <= "mode" <= "high" and low < high, got {self.low}, {self.mode}, {self.high}',
        )

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    @property
    def lower(self) -> float:
        return self.low

    @property
    def upper(self) -> float:
        return self.high

    def sample(self, u: float) -> float:
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        if u < cut:
            return a + math.sqrt(u * (b - a) * (c - a))
        return b - math.sqrt((1 - u) * (b - a) * (b - c))

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        low = a + np.sqrt(u * (b - a) * (c - a))  # the same operations, in the same order, as sample()
        high = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < cut, low, high)

    def scaled(self, factor: float) -> Triangular:
        return Triangular(self.low * factor, self.mode * factor, self.high * factor)

    def params(self) -> tuple[float, ...]:
        return (self.low, self.mode, self.high)


@dataclass(frozen=True, repr=False)
class Exponential(Distribution):
    mean_value: float
    name = "exponential"

    def __post_init__(self) -> None:
        _check(self.mean_value > 0, f'"mean" must be > 0, got {self.mean_value}')

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def variance(self) -> float:
        return self.mean_value**2

    def sample(self, u: float) -> float:
        return -self.mean_value * math.log1p(-min(u, 1 - 1e-16))

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_value * _log1p(-np.minimum(u, 1 - 1e-16))

    def scaled(self, factor: float) -> Exponential:
        return Exponential(self.mean_value * factor)

    def params(self) -> tuple[float, ...]:
        return (self.mean_value,)


@dataclass(frozen=True, repr=False)
class TruncatedExponential(Distribution):
    """``low`` + an exponential of mean ``scale``, cut at ``high`` (values above are redrawn, so the
    distribution is truncated, not clipped). Sampled exactly by inverse CDF.

    >>> d = TruncatedExponential(1.0, 0.0, 50.0)
    >>> round(d.mean, 6), round(d.sample(1 - math.exp(-1)), 6), d
    (1.0, 1.0, truncexp(1, 0, 50))
    """

    scale: float
    low: float
    high: float
    name = "truncexp"

    def __post_init__(self) -> None:
        _check(self.scale > 0 and 0 <= self.low < self.high < math.inf,
               f'need "scale" > 0 and 0 <= "low" < "high", got {self.scale}, {self.low}, {self.high}')

    @property
    def _mass(self) -> float:
        return 1.0 - math.exp(-(self.high - self.low) / self.scale)

    @property
    def mean(self) -> float:
        span = self.high - self.low
        tail = math.exp(-span / self.scale)
        return self.low + self.scale - span * tail / (1.0 - tail)

    @property
    def variance(self) -> float:
        # an exponential of rate 1/scale truncated to [0, span]: Var = scale² - span² e^(-span/scale) / (1 - e^(-span/scale))²
        span = self.high - self.low
        tail = math.exp(-span / self.scale)
        return self.scale**2 - span**2 * tail / (1.0 - tail) ** 2

    @property
    def lower(self) -> float:
        return self.low

    @property
    def upper(self) -> float:
        return self.high

    def sample(self, u: float) -> float:
        return self.low - self.scale * math.log1p(-min(u, 1 - 1e-16) * self._mass)

    def sample_array(self, u: np.ndarray) -> np.ndarray:
        return self.low - self.scale * _log1p(-np.minimum(u, 1 - 1e-16) * self._mass)

    def scaled(self, factor: float) -> TruncatedExponential:
        return TruncatedExponential(self.scale * factor, self.low * factor, self.high * factor)

    def params(self) -> tuple[float, ...]:
        return (self.scale, self.low, self.high)


def _clip_u(u: float) -> float:
    return min(max(u, 1e-12), 1 - 1e-12)


@dataclass(frozen=True, repr=False)
class LogNormal(Distribution):
    mean_value: float
    sd: float
    name = "lognormal"

    def __post_init__(self) -> None:
        _check(self.mean_value > 0 and self.sd >= 0, f'need "mean" > 0 and "sd" >= 0, got {self.mean_value}, {self.sd}')
        sigma2 = math.log1p((self.sd / self.mean_value) ** 2)
        object.__setattr__(self, "_sigma", math.sqrt(sigma2))
        object.__setattr__(self, "_mu", math.log(self.mean_value) - sigma2 / 2)

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def variance(self) -> float:
        return self.sd**2

    @property
    def lower(self) -> float:
        return self.mean_value if self.sd == 0 else 0.0

    @property
    def upper(self) -> float:
        return self.mean_value if self.sd == 0 else math.inf

    def sample(self, u: float) -> float:
        return math.exp(self._mu + self._sigma * float(_special().ndtri(_clip_u(u))))  # type: ignore[attr-defined]

    def scaled(self, factor: float) -> LogNormal:
        return LogNormal(self.mean_value * factor, self.sd * factor)

    def params(self) -> tuple[float, ...]:
        return (self.mean_value, self.sd)


@dataclass(frozen=True, repr=False)
class Gamma(Distribution):
    mean_value: float
    sd: float
    name = "gamma"

    def __post_init__(self) -> None:
        _check(self.mean_value > 0 and self.sd > 0, f'need "mean" > 0 and "sd" > 0, got {self.mean_value}, {self.sd}')

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def variance(self) -> float:
        return self.sd**2

    def sample(self, u: float) -> float:
        shape = (self.mean_value / self.sd) ** 2
        scale = self.sd**2 / self.mean_value
        return float(_special().gammaincinv(shape, _clip_u(u))) * scale

    def scaled(self, factor: float) -> Gamma:
        return Gamma(self.mean_value * factor, self.sd * factor)

    def params(self) -> tuple[float, ...]:
        return (self.mean_value, self.sd)


@dataclass(frozen=True, repr=False)
class Normal(Distribution):
    """Normal, with negative values cut to 0 (a duration cannot be negative)."""

    mean_value: float
    sd: float
    name = "normal"

    def __post_init__(self) -> None:
        _check(self.mean_value >= 0 and self.sd >= 0, f'need "mean" >= 0 and "sd" >= 0, got {self.mean_value}, {self.sd}')

    @property
    def mean(self) -> float:
        return self.mean_value  # the cut at 0 is negligible when mean >> sd, as for durations

    @property
    def variance(self) -> float:
        return self.sd**2  # as the mean: the cut at 0 is left out (below 1e-4 relative when mean >= 4 sd)

    @property
    def upper(self) -> float:
        return self.mean_value if self.sd == 0 else math.inf

    def sample(self, u: float) -> float:
        return max(0.0, self.mean_value + self.sd * float(_special().ndtri(_clip_u(u))))

    def scaled(self, factor: float) -> Normal:
        return Normal(self.mean_value * factor, self.sd * factor)

    def params(self) -> tuple[float, ...]:
        return (self.mean_value, self.sd)


_KINDS: dict[str, tuple[type[Distribution], int]] = {
    "fixed": (Fixed, 1),
    "uniform": (Uniform, 2),
    "triangular": (Triangular, 3),
    "exponential": (Exponential, 1),
    "truncexp": (TruncatedExponential, 3),
    "lognormal": (LogNormal, 2),
    "gamma": (Gamma, 2),
    "normal": (Normal, 2),
}
DISTRIBUTION_NAMES = tuple(_KINDS)


def parse_distribution(text: str | float) -> Distribution:
    """Parse ``"triangular(1, 2, 4)"`` or a plain number; raise ``ValueError`` saying what is expected.

    >>> parse_distribution(3)
    fixed(3)
    >>> parse_distribution("weibull(1)")
    Traceback (most recent call last):
    ...
    ValueError: unknown distribution "weibull"; expected one of fixed, uniform, triangular, exponential, truncexp, lognormal, gamma, normal
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a number or a distribution such as triangular(1, 2, 4), got {text!r}")
    if isinstance(text, (int, float)):
        return Fixed(float(text))
    source = str(text).strip()
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise ValueError(f"expected a number or a distribution such as triangular(1, 2, 4), got {source!r}") from None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Fixed(float(node.value))
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords):
        raise ValueError(f"expected a number or a distribution such as triangular(1, 2, 4), got {source!r}")
    name = node.func.id.lower()
    if name not in _KINDS:
        raise ValueError(f'unknown distribution "{name}"; expected one of {", ".join(DISTRIBUTION_NAMES)}')
    cls, arity = _KINDS[name]
    args: list[float] = []
    for arg in node.args:
        value = arg.operand.value if isinstance(arg, ast.UnaryOp) and isinstance(arg.op, ast.USub) and isinstance(arg.operand, ast.Constant) else getattr(arg, "value", None)
        if isinstance(arg, ast.UnaryOp) and value is not None:
            value = -value
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"{name}(...) takes numbers only, got {source!r}")
        args.append(float(value))
    if len(args) != arity:
        raise ValueError(f"{name} takes {arity} number(s), got {len(args)} in {source!r}")
    return cls(*args)
