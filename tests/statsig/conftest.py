"""Retries in these tests are instant: stamina's testing mode zeroes every wait.

Our own policy still decides *whether* to retry and what it would have waited (logged as
``retry_wait_s``), so the decisions stay under test. Tests that need real waits (the
resilience tests over HTTP) override ``instant_retries``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina


@pytest.fixture(autouse=True)
def instant_retries() -> Iterator[None]:
    with stamina.set_testing(True, attempts=100, cap=True):
        yield
