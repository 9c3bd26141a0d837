"""One vocabulary for advisers (reg 6(1)): spellings fold into one type; unknown refused."""

from __future__ import annotations

import pytest

from engine.advisers import ADVISER_TYPES, AdviserType, AdviserVocabulary


@pytest.mark.parametrize(("raw", "key"), [
    ("EP", "educational_psychologist"), ("Ed Psych ", "educational_psychologist"),
    ("Health", "health"), ("health_icb", "health"), ("NHS", "health"),
    ("Social care", "social_care"), ("head_teacher", "school"), ("College", "post16_institution"),
    ("nursery", "early_years_setting"), ("other", "other"),
])
def test_every_spelling_of_one_adviser_is_one_type(raw, key):
    assert AdviserVocabulary().resolve(raw).key == key


def test_an_unknown_adviser_is_refused_with_the_types_that_exist():
    with pytest.raises(ValueError, match="unknown adviser 'plumber': expected one of "
                                         "educational_psychologist, health"):
        AdviserVocabulary().resolve("plumber")


def test_an_authority_can_add_a_type_but_not_take_one_that_exists():
    salt = AdviserType("speech_and_language_therapy", "SALT", "local", ("salt",))
    local = AdviserVocabulary().extended([salt])
    assert local.resolve("SALT").key == "speech_and_language_therapy"
    assert AdviserVocabulary().canonical_or_none("salt") is None
    with pytest.raises(ValueError, match="already exist"):
        AdviserVocabulary().extended([AdviserType("ep", "EP again", "local")])


def test_health_and_other_must_name_their_organisation_and_no_spelling_is_shared():
    assert {t.key for t in ADVISER_TYPES if t.names_organisation} == {"health", "other"}
    spellings = [s for t in ADVISER_TYPES for s in (t.key, *t.aliases)]
    assert len(spellings) == len(set(spellings))
