"""Invented schools, each in one area of the demo local authority."""

from __future__ import annotations

import random
from dataclasses import dataclass

PLACES = (
    "Ashgrove", "Beechwood", "Birchfield", "Brookside", "Castlegate", "Cedar Park", "Church Lane",
    "Elmwood", "Fairfield", "Foxhill", "Greenbank", "Hawthorn", "Hazelmere", "Highfield",
    "Hillcrest", "Holly Bank", "Kingsmead", "Larkrise", "Linden", "Meadowside", "Millbrook",
    "Moorland", "Oakfield", "Orchard Vale", "Parkside", "Queensway", "Riverside", "Rowan Tree",
    "St Aidan's", "St Bede's", "St Clare's", "Stonebridge", "Sycamore", "Thornton", "Valley Road",
    "Westfield", "Willowbrook", "Woodlands",
)
KINDS = (
    "Primary School", "Primary Academy", "Church of England Primary School", "Infant School",
    "Junior School", "High School", "Academy", "Nursery School", "Special School", "College",
)


@dataclass(frozen=True)
class School:
    name: str
    area: str  # the code of the area team that holds its pupils' plans


def build_schools(
    rng: random.Random, areas: tuple[str, ...], count: int = 48
) -> tuple[School, ...]:
    names = sorted({f"{place} {kind}" for place in PLACES for kind in KINDS})
    return tuple(School(name, areas[i % len(areas)]) for i, name in
                 enumerate(rng.sample(names, count)))
