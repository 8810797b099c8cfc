"""Source marks round-trip: what the Markdown stage writes, the fidelity check reads back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from render.context.marks import read_mark, source_mark

PARTS = st.one_of(st.integers(0, 99), st.text("abcdefghij_", min_size=1, max_size=8))


@given(st.lists(PARTS, min_size=1, max_size=4), st.integers(0, 10_000))
def test_a_mark_reads_back_as_written(loc: list[int | str], offset: int) -> None:
    assert read_mark(source_mark(tuple(loc), offset)) == (tuple(loc), offset)


def test_a_mark_render_did_not_write_is_none() -> None:
    assert read_mark("commentary") is None
    assert read_mark("commentary:x") is None
    assert read_mark(":12") is None
