"""The one way a command prints or writes JSON: NaN and infinity become null, so strict parsers accept it.

Example:
    >>> strict_json({"mean": float("nan"), "n": 2})
    '{\\n  "mean": null,\\n  "n": 2\\n}'
"""

from __future__ import annotations

import json
import math
from typing import Any


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def strict_json(obj: Any) -> str:
    """``obj`` as indented JSON; non-finite floats as null, other unknown objects as their ``str``."""
    text = json.dumps(obj, ensure_ascii=False, default=str)  # first pass turns unknown objects into strings
    return json.dumps(_clean(json.loads(text)), ensure_ascii=False, indent=2, allow_nan=False)
