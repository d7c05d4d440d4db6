"""The plugin never crashes on a dim string, and a malformed one is only ever a `shape` error.

Each example writes a small module that uses a (random) dim string in annotations, on a plain
function and on a `@kernel` whose body uses it, and runs mypy with the plugin in-process
(`mypy.api.run`, sharing one cache directory so that only the first run pays for typeshed).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typecheck.annotations import parse_shape
from typecheck.errors import AnnotationError

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # the plugin is imported by module name
    sys.path.insert(0, str(ROOT))

from mypy import api  # noqa: E402

_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<msg>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")

_TOKENS = ["B", "N", "M", "_", "...", "*b", "*", "#N", "#", "2*N", "N+1", "N//2", "4*D", "3",
           "0", "(N", "N)", "+", "-", "//", "N-", "*a", "#2", "", " ", "  ", "\t", "é", "N.M",
           "1.5", "-1", "(N+1)*2", "N*N", "'", '"', "\\"]

DIM_STRINGS = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cs",)), max_size=12),
    st.lists(st.sampled_from(_TOKENS), max_size=5).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=5).map("".join),
)


def _module(dims: str) -> str:
    lit = repr(dims)
    return (
        "import dsl\n"
        "from dsl import Tensor, kernel\n"
        "from jaxtyping import Float32\n"
        "\n"
        f"def plain(x: Float32[Tensor, {lit}]) -> None:\n"
        "    pass\n"
        "\n"
        "@kernel\n"
        f"def k(x: Float32[Tensor, {lit}]) -> Float32[Tensor, {lit}]:\n"
        "    y = x + x\n"
        "    return y\n"
        "\n"
        "def caller(a: Float32[Tensor, 'P Q']) -> None:\n"
        "    k(a)\n"
    )


def run_mypy(path: Path, cache: Path) -> tuple[str, list[tuple[int, str, str]], int]:
    out, err, status = api.run([
        "--config-file", str(HERE / "mypy.ini"), "--cache-dir", str(cache),
        "--no-error-summary", "--hide-error-context", "--show-traceback", str(path)])
    errors = []
    for line in out.splitlines():
        m = _ERROR.match(line)
        if m:
            errors.append((int(m["line"]), m["code"] or "", m["msg"]))
    return out + err, errors, status


def _assert_no_crash(raw: str, status: int) -> None:
    assert "INTERNAL ERROR" not in raw and "Traceback" not in raw, raw
    assert status in (0, 1), raw


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


# mypy raises the recursion limit while it runs; hypothesis warns that it cannot reset it.
@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(dims=DIM_STRINGS)
def test_random_dim_strings_never_crash(dims: str, tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "random_dims.py"
    path.write_text(_module(dims), encoding="utf-8")
    raw, errors, status = run_mypy(path, cache)
    _assert_no_crash(raw, status)
    assert all(code == "shape" for _, code, _ in errors), raw
    try:
        parse_shape(dims)
        valid = True
    except AnnotationError:
        valid = False
    annotation_lines = {5, 9}
    if valid:
        # `k(a)` may legitimately not fit (e.g. dims "3"); nothing else may be reported.
        assert all(line == 14 for line, _, _ in errors), raw
    else:
        assert annotation_lines <= {line for line, _, _ in errors}, raw


MALFORMED = ["B  N+", "*a *b", "B N+", "... ...", "*b ...", "2N", "(N", "N)", "N//0", " N",
             "N ", "3-5", "*", "#", "#2*N", "B,N", "N$", "\tN", "N..M", "*1", "**b", "#*b",
             "N++1", "N//", "(", "()", "1.5", "N\nM", "é"]


def test_many_malformed_annotations_are_only_shape_errors(tmp_path: Path, cache: Path) -> None:
    lines = ["import dsl", "from dsl import Tensor, kernel", "from jaxtyping import Float32",
             ""]
    expected: set[int] = set()
    for i, dims in enumerate(MALFORMED):
        lines.append("@kernel")
        lines.append(f"def f{i}(x: Float32[Tensor, {dims!r}], "
                     "y: Float32[Tensor, 'B N']) -> Float32[Tensor, 'B N']:")
        expected.add(len(lines))
        lines.append(f"    z: Float32[Tensor, {dims!r}] = x")
        expected.add(len(lines))
        lines.append("    w = dsl.exp(x) + y @ dsl.matrix_transpose(y)")
        lines.append("    return w")
        lines.append("")
    lines.append("def use(a: Float32[Tensor, '2 2']) -> None:")
    lines.extend(f"    f{i}(a, a)" for i in range(len(MALFORMED)))
    path = tmp_path / "malformed.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw, errors, status = run_mypy(path, cache)
    _assert_no_crash(raw, status)
    assert errors, raw
    assert all(code == "shape" for _, code, _ in errors), raw
    assert {line for line, _, _ in errors} == expected, raw
