"""The `dsl` functions and the shape rules order their parameters alike: the mypy plugin
passes a call's arguments to the rules by position."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import dsl
from typecheck import rules

RULES_DIR = Path(rules.__file__).parent


def test_rule_argument_positions_match_dsl_signatures() -> None:
    positions: dict[str, set[int]] = {}
    for path in RULES_DIR.glob("*.py"):
        for m in re.finditer(r'arg\(op, args, kwargs, (\d+), "(\w+)"', path.read_text()):
            positions.setdefault(m[2], set()).add(int(m[1]))
    checked = 0
    for op in sorted(rules.known_ops()):
        fn = getattr(dsl, op, None)
        if fn is None:
            continue
        for index, name in enumerate(inspect.signature(fn).parameters):
            if name in positions:
                assert index in positions[name], (op, name, index, positions[name])
                checked += 1
    assert checked > 30
