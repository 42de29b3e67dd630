"""The colour system: event colours stay apart from each other and from the base map, also as people with
the common colour-vision deficiencies see them (Machado, Oliveira and Fernandes 2009, severity 1.0)."""

import itertools

import numpy as np
import pytest

from bordermap import layers

#: Linear-RGB simulation matrices of Machado et al. (2009) at full severity.
CVD = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: CIE76 distances: two event colours must differ at least this much, an event colour and a base colour this much.
BETWEEN_EVENTS = 15.0
EVENT_AND_BASE = 12.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ \
        np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, vision: str) -> float:
    m = CVD[vision]
    return float(np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b))))


EVENTS = {category: colour for category, (colour, _) in layers.CATEGORY_SYMBOLS.items()}
BASE = {**{f"{code} fill": c for code, c in layers.COUNTRY_COLOURS.items()},
        "neighbour fill": layers.NEIGHBOUR_FILL, "emphasised border": layers.BORDER_EMPHASIS}


def test_the_simulation_is_the_published_one():
    # each matrix keeps white white (rows sum to 1) and pure red and green collapse under deuteranopia
    for m in CVD.values():
        assert np.allclose(m.sum(axis=1), 1.0, atol=1e-3)
    assert distance("#ff0000", "#00ff00", "normal vision") > 150
    assert distance("#ff0000", "#00ff00", "deuteranopia") < distance("#ff0000", "#00ff00", "normal vision") / 2


@pytest.mark.parametrize("vision", sorted(CVD))
def test_event_colours_stay_apart(vision):
    close = [(a, b, round(distance(EVENTS[a], EVENTS[b], vision), 1))
             for a, b in itertools.combinations(EVENTS, 2) if distance(EVENTS[a], EVENTS[b], vision) < BETWEEN_EVENTS]
    assert close == []


@pytest.mark.parametrize("vision", sorted(CVD))
def test_no_event_colour_looks_like_a_country_fill_or_the_border(vision):
    close = [(a, b, round(distance(EVENTS[a], BASE[b], vision), 1))
             for a in EVENTS for b in BASE if distance(EVENTS[a], BASE[b], vision) < EVENT_AND_BASE]
    assert close == []


def test_the_figures_draw_no_colour_of_their_own():
    """One owner: the static renderer takes colours from the layers, not from literals of its own."""
    import re
    from pathlib import Path
    source = (Path(layers.__file__).parent / "render_static.py").read_text(encoding="utf-8")
    def chromatic(c):  # greys and black are ink, not a category's colour
        rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
        return max(rgb) - min(rgb) > 16
    owned = {c.lower() for c in list(EVENTS.values()) + list(BASE.values()) if chromatic(c)}
    assert len(owned) >= 8
    assert owned & {c.lower() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", source)} == set()
