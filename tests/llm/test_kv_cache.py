"""How answer options are grouped to be decoded side by side (the decoding itself: test_llamacpp_real)."""

from __future__ import annotations

from webqa.llm.kv_cache import SIDE_BY_SIDE_TOKENS, side_by_side


def test_short_options_share_one_decode_up_to_the_free_sequences():
    assert side_by_side([3, 4, 2, 5, 3, 4], sequences=7) == [[0, 1, 2, 3, 4, 5]]
    assert side_by_side([3] * 9, sequences=7) == [[0, 1, 2, 3, 4, 5, 6], [7, 8]]


def test_a_group_stays_below_the_kernel_switch_and_a_long_option_goes_alone():
    lengths = [10, 10, 10, 40, 2]
    groups = side_by_side(lengths, sequences=7)
    assert groups == [[0, 1, 2], [3], [4]]
    assert all(sum(lengths[i] for i in g) <= SIDE_BY_SIDE_TOKENS for g in groups if len(g) > 1)


def test_one_free_sequence_means_one_option_at_a_time_and_none_means_nothing():
    assert side_by_side([2, 2, 2], sequences=1) == [[0], [1], [2]]
    assert side_by_side([], sequences=7) == []


def test_a_group_never_takes_more_cells_than_the_context_has_left():
    assert side_by_side([3, 3, 3], sequences=7, most_tokens=5) == [[0], [1], [2]]
