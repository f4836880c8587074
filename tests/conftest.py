"""Shared fixtures."""

from __future__ import annotations

import os
import shutil

import pytest

# `make test` and CI install Debian's chromium first (scripts/ensure-system-deps.sh --chromium) and set
# this, so there a missing browser fails the browser tests instead of skipping them.
REQUIRE_BROWSER = "REFORMSIM_REQUIRE_BROWSER"


@pytest.fixture
def chromium() -> str:
    """The headless browser's path. Only a bare `pytest` on a machine without chromium skips."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") or os.environ.get(REQUIRE_BROWSER):
            pytest.fail("no chromium although make test / CI requires it: scripts/ensure-system-deps.sh --chromium did not install it")
        pytest.skip("no chromium on this machine and not run by `make test` (which installs it and requires it)")
    return path
