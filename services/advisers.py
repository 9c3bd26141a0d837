"""Advisers named one way at the door: each advice event's ``advisor`` becomes a type of
the closed list (``engine.advisers``) or of the authority's own additions, read from
``EHC_ADVISER_TYPES_FILE``::

    E10000028:
      - key: speech_and_language_therapy
        label: Speech and language therapy
        aliases: [salt, slt]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.advisers import AdviserType, AdviserVocabulary
from services.errors import InvalidInput

ADVICE_EVENTS = ("advice_requested", "advice_received", "appointment_not_kept")


class _ExtraType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    names_organisation: bool = False


def vocabulary_for(la_code: str, types_file: Path | None) -> AdviserVocabulary:
    """The closed list, plus ``la_code``'s own types from ``types_file`` (if any).

    Raises:
        InvalidInput: the file cannot be read, or a type in it is malformed or taken.
    """
    vocabulary = AdviserVocabulary()
    if types_file is None:
        return vocabulary
    try:
        document = yaml.safe_load(types_file.read_text(encoding="utf-8")) or {}
        rows = [_ExtraType.model_validate(row) for row in document.get(la_code, [])]
        return vocabulary.extended(
            AdviserType(r.key, r.label, "configured by the authority", r.aliases,
                        r.names_organisation) for r in rows
        )
    except (OSError, yaml.YAMLError, AttributeError, ValidationError, ValueError) as exc:
        raise InvalidInput(f"adviser types file {types_file}: {exc}",
                           field="EHC_ADVISER_TYPES_FILE") from None


def named_advisers(
    events: Sequence[Mapping[str, Any]], vocabulary: AdviserVocabulary
) -> list[dict[str, Any]]:
    """``events`` with each adviser named by its type.

    Raises:
        InvalidInput: an adviser outside the vocabulary, or a health/other adviser whose
            organisation is not named (``index`` says which event).
    """
    named = []
    for index, event in enumerate(events):
        data = dict(event)
        raw = data.get("advisor")
        if data.get("type") in ADVICE_EVENTS and isinstance(raw, str):
            try:
                kind = vocabulary.resolve(raw)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="advisor", index=index) from None
            data["advisor"] = kind.key
            if (data["type"] == "advice_requested" and kind.names_organisation
                    and not str(data.get("organisation") or "").strip()):
                raise InvalidInput(f"advice from {kind.label.lower()} must name the "
                                   "organisation (the ICB or trust, or who it is)",
                                   field="organisation", index=index)
        named.append(data)
    return named
