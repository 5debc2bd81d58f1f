"""Button data always fits Telegram's 64 bytes and decodes back; junk decodes to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.edge import callbacks


@given(
    kind=st.sampled_from(["f", "c", "p", "s", "g", "st"]),
    args=st.lists(st.integers(min_value=0, max_value=2**40), max_size=3),
)
def test_round_trip_of_integer_arguments(kind: str, args: list[int]) -> None:
    data = callbacks.encode(kind, *args)
    assert len(data.encode()) <= callbacks.MAX_BYTES
    decoded = callbacks.decode(data)
    assert decoded is not None
    assert decoded.kind == kind
    assert [decoded.int_arg(i) for i in range(len(args))] == args


@given(st.text(max_size=100))
def test_decoding_anything_never_raises(data: str) -> None:
    result = callbacks.decode(data)
    if result is not None:
        assert result.kind.isalnum()


def test_too_long_or_unsafe_data_is_refused() -> None:
    with pytest.raises(callbacks.CallbackTooLong):
        callbacks.encode("f", "x" * 70)
    with pytest.raises(ValueError, match="contains"):
        callbacks.encode("f", "a|b")
    assert callbacks.decode("") is None
    assert callbacks.decode("|1|2") is None
    assert callbacks.decode("f|x").int_arg(0) is None  # type: ignore[union-attr]
