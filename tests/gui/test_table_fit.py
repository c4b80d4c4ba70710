"""Sharing a table's width between its columns: fixed ones fit, weighted ones share the rest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from repdesk.gui.table_fit import share_width


def test_everything_fits_and_the_spare_room_goes_to_the_first_weighted_column() -> None:
    sizes = share_width(1000, {0: 200, 1: 150, 2: 80, 3: 60}, {0: 3, 1: 2}, 40)
    assert sizes == {0: 200 + 510, 1: 150, 2: 80, 3: 60}


def test_short_of_room_the_weighted_columns_share_by_weight() -> None:
    sizes = share_width(500, {0: 600, 1: 400, 2: 80, 3: 60}, {0: 3, 1: 2}, 40)
    assert (sizes[2], sizes[3]) == (80, 60)
    assert sizes[0] + sizes[1] <= 360
    assert sizes[0] > sizes[1]


def test_a_column_needing_little_gives_its_share_to_the_others() -> None:
    sizes = share_width(500, {0: 600, 1: 50, 2: 80}, {0: 3, 1: 2}, 40)
    assert sizes[1] == 50, "never wider than its contents while another column is short"
    assert sizes[0] == 500 - 80 - 50


@given(
    available=st.integers(200, 3000),
    needs=st.lists(st.integers(1, 900), min_size=2, max_size=8),
    data=st.data(),
)
def test_the_columns_never_overflow_when_the_fixed_ones_leave_room(
    available: int, needs: list[int], data: st.DataObject
) -> None:
    columns = dict(enumerate(needs))
    weighted = data.draw(st.sets(st.sampled_from(sorted(columns)), min_size=1))
    weights = {c: data.draw(st.floats(0.5, 4)) for c in weighted}
    minimum = 20
    fixed = sum(n for c, n in columns.items() if c not in weights)
    sizes = share_width(available, columns, weights, minimum)
    assert set(sizes) == set(columns)
    for c, need in columns.items():
        if c not in weights:
            assert sizes[c] == need
        else:
            assert sizes[c] >= min(minimum, need)
    if fixed + minimum * len(weights) <= available:
        assert sum(sizes.values()) <= available


def test_spare_room_goes_to_the_first_column_named_in_the_weights() -> None:
    sizes = share_width(1000, {0: 80, 1: 100, 2: 200, 3: 60}, {2: 3, 1: 1}, 40)
    assert sizes == {0: 80, 1: 100, 2: 200 + 560, 3: 60}
