"""The one way a command prints or writes JSON: NaN and infinity become null, so strict parsers accept it.

Example:
    >>> strict_json({"mean": float("nan"), "n": 2})
    '{\\n  "mean": null,\\n  "n": 2\\n}'
"""

from __future__ import annotations

import json
from typing import Any

from sim.files import json_safe


def strict_json(obj: Any) -> str:
    """``obj`` as indented JSON; non-finite floats as null, other unknown objects as their ``str``."""
    text = json.dumps(obj, ensure_ascii=False, default=str)  # first pass turns unknown objects into strings
    return json.dumps(json_safe(json.loads(text)), ensure_ascii=False, indent=2, allow_nan=False)
