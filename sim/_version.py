"""The package version, in a module of its own so that any layer can read it without importing the
public API (``sim/__init__`` sits above every layer; see tests/test_layers.py).

Example:
    >>> isinstance(__version__, str)
    True
"""

__version__ = "0.1.0"
