"""Hypothesis strategies for small concrete shapes, shared by the numpy-oracle tests."""

from __future__ import annotations

from hypothesis import strategies as st

# Dims 0-4 with a bias toward 1 (broadcasting) and a little toward 0 (empty arrays).
DIM = st.one_of(st.just(1), st.just(1), st.integers(0, 4))


def shapes(min_rank: int = 0, max_rank: int = 4, dim: st.SearchStrategy[int] = DIM
           ) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(dim, min_size=min_rank, max_size=max_rank).map(tuple)


@st.composite
def broadcastable_pair(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that usually broadcast (each dim of each side is the common dim or 1)."""
    common = draw(shapes())
    out = []
    for _ in range(2):
        k = draw(st.integers(0, len(common)))
        tail = common[len(common) - k:]
        out.append(tuple(d if draw(st.booleans()) else 1 for d in tail))
    return out[0], out[1]


PAIRS = st.one_of(st.tuples(shapes(), shapes()), broadcastable_pair())
