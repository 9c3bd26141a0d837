"""The protected person record: who the child is, where they are placed, their SEN need.

These are the SEN2 items the event log cannot supply (names, date of birth, sex,
ethnicity, postcode, UPN/ULN, placements, SEN type, personal budget). Each field is
validated here, with the DfE's code lists as data (``CODES``); the formats follow the
SEN2 2026 guide and the DfE common basic data set as far as they could be established
(docs/reporting.md lists what could not be verified). Pure: the store keeps the record,
``services.person`` decides who may see it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.errors import InvalidEvent

# CBDS ethnicity codes (main and extended), as listed for the SEN2 Ethnicity item.
ETHNICITY = frozenset("""
WBRI WCOR WENG WNIR WSCO WWEL WOWB WIRI WIRT WOTH WALB WBOS WCRO WGRE WGRK WGRC WITA WKOS
WPOR WSER WTUR WTUK WTUC WEUR WEEU WWEU WOTW WROM WROG WROR WROO MWBC MWBA MWAS MWAP MWAI
MWAO ABRI AWEL MOTH MAOE MABL MACH MBOE MBCH MCOE MWOE MWCH MOTM AIND APKN AMPK AKPA AOPK
ABAN AOTH AAFR AKAO ANEP ASNL ASLT ASRO AOTA BBRI BWEL BCRB BAFR BANN BCON BGHA BNGN BSLN
BSOM BSUD BAOF BOTH BEUR BNAM BOTB CHNE CHKC CMAL CSNG CTWN COCH OOTH OAFG ORAB OARA OEGY
OFIL OIRN OIRQ OJPN OKOR OKRD OLAM OLEB OLIB OMAL OMRC OPOL OTHA OVIE OYEM OOEG NOBT REFU
""".split())
CODES: Mapping[str, Mapping[str, str]] = {
    "Sex": {"M": "male", "F": "female", "U": "not known [verify]"},
    "SENtype": {
        "SPLD": "specific learning difficulty", "MLD": "moderate learning difficulty",
        "SLD": "severe learning difficulty", "PMLD": "profound and multiple learning difficulty",
        "SEMH": "social, emotional and mental health", "SLCN": "speech, language and "
        "communication needs", "HI": "hearing impairment", "VI": "vision impairment",
        "MSI": "multi-sensory impairment", "PD": "physical disability",
        "ASD": "autistic spectrum disorder", "OTH": "other difficulty or disability",
    },
    # 2026 guide: residential placement codes A/B were changed [verify the new wording].
    "PlanRes": {"A": "residential, 38 to 51 weeks", "B": "residential, 52 weeks"},
    "UPNunknown": {f"UN{n}": "UPN and ULN unavailable [verify reason text]" for n in range(1, 11)},
}
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def upn_check_letter(rest: str) -> str:
    """The UPN's first character, from its other 12 (DfE UPN guidance: weights 2-13,
    letters counted by their position in the 23-letter alphabet, mod 23)."""
    total = 0
    for weight, char in enumerate(rest, start=2):
        value = int(char) if char.isdigit() else _UPN_LETTERS.index(char)
        total += weight * value
    return _UPN_LETTERS[total % 23]


class Placement(BaseModel):
    """One placement (SEN2 placement detail): an establishment (URN or UKPRN) or a
    setting code where there is none."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    urn: str | None = Field(default=None, pattern=r"^\d{6}$")
    ukprn: str | None = Field(default=None, pattern=r"^\d{8}$")
    setting: str | None = Field(default=None, pattern=r"^[A-Z]{2,5}$")
    setting_other: str | None = Field(default=None, max_length=100)
    rank: int = Field(default=1, ge=1, le=9)
    entry_date: dt.date | None = None
    leaving_date: dt.date | None = None
    sen_unit: bool = False
    resourced_provision: bool = False
    residential: str | None = None  # PlanRes / RES code
    work_based: bool = False  # WPB: work-based learning

    @field_validator("residential")
    @classmethod
    def _res(cls, value: str | None) -> str | None:
        if value is not None and value not in CODES["PlanRes"]:
            raise ValueError(f"residential must be one of {', '.join(CODES['PlanRes'])}")
        return value


class PersonRecord(BaseModel):
    """The protected record. Every field is optional here: what SEN2 needs is checked
    by ``engine.sen2.validate``, so an incomplete record can be saved and completed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    forename: str | None = Field(default=None, min_length=1, max_length=100)
    surname: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: dt.date | None = None
    sex: str | None = None
    ethnicity: str | None = None
    postcode: str | None = None
    upn: str | None = None
    uln: str | None = Field(default=None, pattern=r"^\d{10}$")
    upn_unknown: str | None = None
    sen_needs: tuple[str, ...] = ()  # SENtype codes, main need first
    placements: tuple[Placement, ...] = ()
    personal_budget: bool | None = None  # PB
    organised_arrangements: bool | None = None  # OA
    direct_payments: bool | None = None  # DP

    @field_validator("sex")
    @classmethod
    def _sex(cls, value: str | None) -> str | None:
        return _coded("Sex", value)

    @field_validator("upn_unknown")
    @classmethod
    def _upn_unknown(cls, value: str | None) -> str | None:
        return _coded("UPNunknown", value)

    @field_validator("ethnicity")
    @classmethod
    def _ethnicity(cls, value: str | None) -> str | None:
        if value is not None and value not in ETHNICITY:
            raise ValueError("not a CBDS ethnicity code (e.g. WBRI, MWBC, REFU)")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.upper().split())
        if not _POSTCODE.match(value):
            raise ValueError("not a UK postcode")
        return value

    @field_validator("upn")
    @classmethod
    def _upn(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if not re.fullmatch(rf"[{_UPN_LETTERS}]\d{{11}}[0-9{_UPN_LETTERS}]", value):
            raise ValueError("a UPN is a letter, 11 digits, then a digit or letter")
        if upn_check_letter(value[1:]) != value[0]:
            raise ValueError("the UPN's check letter does not match its digits")
        return value

    @field_validator("sen_needs")
    @classmethod
    def _needs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            _coded("SENtype", code)
        if len(set(value)) != len(value):
            raise ValueError("each SEN type may be given once")
        return value


def _coded(item: str, value: str | None) -> str | None:
    if value is not None and value not in CODES[item]:
        raise ValueError(f"not a {item} code ({', '.join(CODES[item])})")
    return value


FIELDS: tuple[str, ...] = tuple(PersonRecord.model_fields)


def updated_record(current: PersonRecord | None, changes: Mapping[str, Any]) -> PersonRecord:
    """``current`` with ``changes`` applied (a value of None or "" clears a field).

    Raises:
        InvalidEvent: an unknown field or a value that fails its check (naming the field,
            never echoing the value, which may be personal data).
    """
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidEvent(f"unknown person field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
    data = current.model_dump() if current else {}
    for name, value in changes.items():
        data[name] = None if value == "" else value
    data = {k: v for k, v in data.items() if v is not None}
    try:
        return PersonRecord.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors(include_input=False)
        )
        raise InvalidEvent(f"person record: {problems}") from None
