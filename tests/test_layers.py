"""Placing symbols side by side: one routine for markers and for the points of a column block."""

import numpy as np
import pandas as pd
import pytest

from bordermap import layers


def _places_by_rounding(lat, lon) -> np.ndarray:
    return pd.factorize(pd.MultiIndex.from_arrays([np.round(lat, 4), np.round(lon, 4)]))[0]


@pytest.mark.parametrize("seed", range(5))
def test_places_are_told_apart_as_rounding_to_4_decimals_does(seed):
    rng = np.random.default_rng(seed)
    lat, lon = np.round(rng.uniform(-90, 90, 4000), 5), np.round(rng.uniform(-180, 180, 4000), 5)
    lat[::5], lon[::5] = lat[0] + 0.00005, lon[0] - 0.00005  # ties at the rounding's half-way point
    lat[1::7], lon[1::7] = 0.00015, -0.00025
    lat[2::9], lon[2::9] = -90.0, 180.0
    expected = _places_by_rounding(lat, lon)
    assert len(set(expected.tolist())) > 100
    assert np.array_equal(layers._places(lat, lon), expected)
    lat[3] = np.nan  # no integer key: the rounding itself
    assert np.array_equal(layers._places(lat, lon), _places_by_rounding(lat, lon))


def test_symbols_at_one_place_stand_in_a_row_by_category_then_id():
    lat = np.array([30.0, 30.00001, 31.0, 30.0, 30.0])
    lon = np.array([66.0, 66.0, 67.0, 66.00004, 66.0])
    rank = np.array([2, 0, 0, 0, 2])
    dx, z = layers.place_side_by_side(lat, lon, rank, np.array(["b", "c", "d", "a", "a"], dtype=object))
    # at (30, 66): rank 0 "a"(3), "c"(1), then rank 2 "a"(4), "b"(0): middle, right, left, right again
    px = layers.SIDE_BY_SIDE_PX
    assert dx.tolist() == [2 * px, px, 0, 0, -px] and z.tolist() == [1, 3, 1, 4, 2]
