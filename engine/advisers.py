"""One vocabulary for advisers: the closed list of adviser types (reg 6(1)), as data.

Whoever records an advice request names its adviser by one of these types, so one adviser
is never split across spellings ("Health", "health_icb", "NHS") in the timeliness figures.
Each type lists the spellings it absorbs. ``health`` and ``other`` must also name the
organisation (the ICB or trust; who the "other" adviser is) in the event's
``organisation``. An authority may add types of its own by configuration
(``EHC_ADVISER_TYPES_FILE``); ``AdviserVocabulary`` joins them to the closed list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AdviserType:
    key: str
    label: str
    citation: str
    aliases: tuple[str, ...] = ()
    names_organisation: bool = False  # the event must say which organisation


ADVISER_TYPES: tuple[AdviserType, ...] = (
    AdviserType("educational_psychologist", "Educational psychologist", "reg 6(1)(d)",
                ("ep", "ed_psych", "educational_psychology", "psychologist")),
    AdviserType("health", "Health (ICB or NHS trust named)", "reg 6(1)(c)",
                ("health_icb", "icb", "nhs", "health_trust", "ccg", "medical"),
                names_organisation=True),
    AdviserType("social_care", "Social care", "reg 6(1)(e)",
                ("social_services", "childrens_social_care", "adult_social_care", "sc")),
    AdviserType("early_years_setting", "Early years setting", "reg 6(1)(b)",
                ("early_years", "nursery", "ey_setting")),
    AdviserType("school", "School (head teacher or SENCO)", "reg 6(1)(b)",
                ("head_teacher", "headteacher", "senco", "school_advice")),
    AdviserType("post16_institution", "Post-16 institution", "reg 6(1)(b)",
                ("post_16", "post16", "college", "fe_college")),
    AdviserType("other", "Other (named)", "reg 6(1)(f)-(h)", ("other_named",),
                names_organisation=True),
)


def _spelling(raw: str) -> str:
    """``"Ed Psych "`` -> ``"ed_psych"``: case, spaces and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", raw.strip().lower()).strip("_")


@dataclass(frozen=True)
class AdviserVocabulary:
    """The closed list plus an authority's own types."""

    types: tuple[AdviserType, ...] = ADVISER_TYPES

    def extended(self, extra: Iterable[AdviserType]) -> AdviserVocabulary:
        added = tuple(extra)
        taken = sorted(t.key for t in added if self.canonical_or_none(t.key) is not None)
        if taken:
            raise ValueError(f"adviser type(s) {', '.join(taken)} already exist")
        return AdviserVocabulary((*self.types, *added))

    @property
    def _by_spelling(self) -> Mapping[str, AdviserType]:
        table: dict[str, AdviserType] = {}
        for kind in self.types:
            for spelling in (kind.key, *kind.aliases):
                table[_spelling(spelling)] = kind
        return table

    def canonical_or_none(self, raw: str) -> str | None:
        kind = self._by_spelling.get(_spelling(raw))
        return kind.key if kind else None

    def resolve(self, raw: str) -> AdviserType:
        """The type ``raw`` names.

        Raises:
            ValueError: an adviser outside the vocabulary, with the types that exist.
        """
        kind = self._by_spelling.get(_spelling(raw))
        if kind is None:
            keys = ", ".join(t.key for t in self.types)
            raise ValueError(f"unknown adviser {raw!r}: expected one of {keys}")
        return kind
