"""Example budgets: small enough for CI (the folder runs well under a minute on 2 cores);
set ALGEBRA_EXAMPLES_SCALE=20 (say) for a long bug hunt."""

from __future__ import annotations

import os

from hypothesis import settings

SCALE = max(1, int(os.environ.get("ALGEBRA_EXAMPLES_SCALE", "1")))


def examples(n: int) -> settings:
    return settings(max_examples=n * SCALE, deadline=None)
