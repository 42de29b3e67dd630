"""What a map shows: title, frame, which layers. Frozen so a build cannot mutate it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """A map definition. ``focus`` lists unit codes (or ISO3 country codes) to frame and stress."""

    name: str
    title: str
    description: str = ""
    focus: tuple[str, ...] = ()
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north
    basemap: bool = True
    layers: tuple[str, ...] = ("countries", "provinces", "former_units", "borders", "labels")


DEFAULT = Recipe(
    name="border-region",
    title="The Pakistan–Afghanistan–Iran border region",
    description="Balochistan, Sistan and Baluchestan, Khyber Pakhtunkhwa and Afghanistan's provinces.",
    focus=("PK-BA", "IR-13", "PK-KP", "AFG"),
)
