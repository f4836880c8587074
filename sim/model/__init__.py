"""Pure data: process graph, task facts, scenarios, calendars, distributions, records.

Imports neither simpy, SpiffWorkflow nor matplotlib. Models are immutable and use
``MappingProxyType`` for their mappings; so that they can still travel to process pools and
Dask workers, a read-only mapping pickles as a copy of its dict and comes back read-only.
"""

import copyreg as _copyreg
from types import MappingProxyType as _MappingProxyType


def read_only(mapping: dict) -> _MappingProxyType:
    """Rebuild a read-only mapping (the target of the pickle reducer below)."""
    return _MappingProxyType(mapping)


def _reduce_mappingproxy(m: _MappingProxyType) -> tuple:
    return read_only, (dict(m),)


_copyreg.pickle(_MappingProxyType, _reduce_mappingproxy)
