"""Regenerate every BPMN file built from these scripts: ``python processes/_src/build_all.py``.

Example:
    >>> callable(main)
    True
"""

from __future__ import annotations

try:
    from . import common  # noqa: F401
    from . import company_setup, construction, deregistration, electricity, gas, property, taxes, trade, water
except ImportError:  # run as a script
    import common  # type: ignore[no-redef]  # noqa: F401
    import company_setup  # type: ignore[no-redef]
    import construction  # type: ignore[no-redef]
    import deregistration  # type: ignore[no-redef]
    import electricity  # type: ignore[no-redef]
    import gas  # type: ignore[no-redef]
    import property  # type: ignore[no-redef]  # noqa: A004 - the chain is called property registration
    import taxes  # type: ignore[no-redef]
    import trade  # type: ignore[no-redef]
    import water  # type: ignore[no-redef]

BUILDERS = (company_setup, construction, electricity, gas, water, property, trade, deregistration, taxes)


def main() -> None:
    for module in BUILDERS:
        module.main()


if __name__ == "__main__":
    main()
