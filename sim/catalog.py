"""The catalog of BPMN models (``processes/catalog.yaml``): chain, variant, baseline and label of each file.

One place says which files are variants of one chain and which file a variant is compared with;
nothing guesses that from file names. ``reformsim list``, the report's before/after diagrams and
``reformsim compare`` read it through :func:`load_catalog`.

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> cat = load_catalog(Path(sim.__file__).parents[1] / "processes" / "catalog.yaml")
    >>> entry = cat.entry("gas_2021.bpmn")
    >>> entry.chain, entry.variant, entry.baseline, entry.label("en")
    ('gas', '2021', 'gas_baseline.bpmn', 'Gas connection (2021 plan)')
    >>> cat.baseline_path(Path("processes/gas_2021.bpmn")).name
    'gas_baseline.bpmn'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ScenarioError, did_you_mean
from .scenarios import read_yaml

__all__ = ["Catalog", "CatalogEntry", "load_catalog", "catalog_for", "bundled_catalog", "VARIANTS", "CATALOG_NAME"]

CATALOG_NAME = "catalog.yaml"
VARIANTS = ("baseline", "2021")
_KEYS = ("chain", "variant", "baseline", "label", "note")


@dataclass(frozen=True)
class CatalogEntry:
    """One BPMN file of the catalog. ``baseline`` is a file name in the same folder, or None."""

    file: str
    chain: str
    variant: str
    baseline: str | None
    label_zh: str
    label_en: str
    note: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.label_en if lang == "en" else self.label_zh


@dataclass(frozen=True)
class Catalog:
    """The entries of one catalog file, by file name; ``folder`` holds the BPMN files."""

    file: Path
    folder: Path
    entries: Mapping[str, CatalogEntry]

    def entry(self, name: str | Path) -> CatalogEntry:
        """The entry of a BPMN file (a name or a path; only the name counts)."""
        key = Path(name).name
        if key not in self.entries:
            raise ScenarioError([(f"models.{key}", f"not in the catalog{did_you_mean(key, list(self.entries))}; "
                                  "add an entry (chain, variant, baseline, label)")], file=str(self.file))
        return self.entries[key]

    def get(self, name: str | Path) -> CatalogEntry | None:
        """The entry of a BPMN file, or None when the catalog does not list it (a file of the user's own)."""
        return self.entries.get(Path(name).name)

    def baseline_path(self, process: str | Path) -> Path | None:
        """The file ``process`` is compared with (next to ``process``), or None when it has none."""
        entry = self.get(process)
        if entry is None or entry.baseline is None:
            return None
        return Path(process).with_name(entry.baseline)

    def chain_of(self, process: str | Path | None) -> str:
        """The chain of a file, "" for a file the catalog does not list."""
        entry = self.get(process) if process else None
        return entry.chain if entry else ""


def load_catalog(path: str | Path) -> Catalog:
    """Read and check a catalog; a :class:`~sim.errors.ScenarioError` names every bad entry by its YAML path."""
    path = Path(path)
    data = read_yaml(path)
    problems: list[tuple[str, str]] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("models"), Mapping):
        raise ScenarioError([("models", "expected a mapping `models:` of BPMN file name → entry")], file=str(path))
    entries: dict[str, CatalogEntry] = {}
    for name, raw in data["models"].items():
        where, before = f"models.{name}", len(problems)
        if not isinstance(name, str) or not name.endswith(".bpmn"):
            problems.append((where, "expected a BPMN file name ending in .bpmn"))
            continue
        if not isinstance(raw, Mapping):
            problems.append((where, "expected a mapping with chain, variant, baseline, label"))
            continue
        for key in raw:
            if key not in _KEYS:
                problems.append((f"{where}.{key}", f"unknown key{did_you_mean(str(key), _KEYS)}; expected one of {', '.join(_KEYS)}"))
        chain, variant, baseline, label = raw.get("chain"), raw.get("variant"), raw.get("baseline"), raw.get("label")
        if not isinstance(chain, str) or not chain.strip():
            problems.append((f"{where}.chain", f"expected the chain's name, got {chain!r}"))
        if variant not in VARIANTS:
            problems.append((f"{where}.variant", f"expected one of {', '.join(VARIANTS)}, got {variant!r}"))
        if baseline is not None and not isinstance(baseline, str):
            problems.append((f"{where}.baseline", f"expected a file name or null, got {baseline!r}"))
        if not isinstance(label, Mapping) or not all(isinstance(label.get(k), str) and label.get(k) for k in ("zh", "en")):
            problems.append((f"{where}.label", "expected {zh: …, en: …}, both non-empty"))
        if len(problems) == before:
            entries[name] = CatalogEntry(name, str(chain), str(variant), baseline, str(label["zh"]), str(label["en"]),
                                         str(raw.get("note") or ""))
    for name, entry in entries.items():
        if entry.baseline is None:
            continue
        base = entries.get(entry.baseline)
        if base is None:
            problems.append((f"models.{name}.baseline", f'"{entry.baseline}" is not in the catalog'
                             f"{did_you_mean(entry.baseline, list(entries))}"))
        elif entry.baseline == name:
            problems.append((f"models.{name}.baseline", "a file cannot be its own baseline"))
        elif base.chain != entry.chain:
            problems.append((f"models.{name}.baseline", f'"{entry.baseline}" belongs to chain {base.chain}, not {entry.chain}'))
    if problems:
        raise ScenarioError(problems, file=str(path))
    return Catalog(path, path.parent, entries)


def bundled_catalog() -> Catalog:
    """The catalog of the models shipped in the repository's ``processes/`` folder."""
    return load_catalog(Path(__file__).resolve().parents[1] / "processes" / CATALOG_NAME)


def catalog_for(process: str | Path) -> Catalog | None:
    """The catalog beside a BPMN file (``catalog.yaml`` in its folder), or None when the folder has none."""
    path = (Path(process).parent / CATALOG_NAME).resolve()
    if not path.is_file():
        return None
    return _cached(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _cached(path: Path, mtime_ns: int) -> Catalog:  # noqa: ARG001 - the modification time keys the cache
    # compare and the report ask once per register check; an edited catalog is read again.
    return load_catalog(path)
