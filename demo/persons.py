"""Invented person records for the demo's cases, so the SEN2 return has someone to list.

Every value is made up from the seed: names from short lists, dates of birth of school
age, postcodes in the ST area with an invented inward part, UPNs with a correct check
letter under LA number 860, invented URNs. About one record in twenty is left
incomplete on purpose (no ethnicity, or no SEN type), so the validation report has
something to say.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from engine.person import CODES, upn_check_letter

FORENAMES = ("Alex", "Bailey", "Casey", "Drew", "Eden", "Frankie", "Harley", "Jordan", "Kai",
             "Logan", "Morgan", "Noor", "Oakley", "Parker", "Quinn", "Riley", "Sasha", "Taylor")
SURNAMES = ("Example", "Sample", "Specimen", "Placeholder", "Fictional", "Madeup", "Invented",
            "Pretend", "Notreal", "Testcase")
ETHNICITIES = (("WBRI", 70), ("WOTH", 5), ("MWBC", 4), ("APKN", 5), ("AIND", 3), ("BAFR", 4),
               ("BCRB", 2), ("CHNE", 1), ("OOTH", 2), ("REFU", 2), ("NOBT", 2))
NEEDS = tuple(CODES["SENtype"])


def invented_records(references: Sequence[str], seed: int, as_of: dt.date) -> dict[str, Any]:
    """A person record (``ehc person set`` fields) per case reference."""
    rng = random.Random(f"{seed}-persons")  # noqa: S311 - reproducible demo data, nothing secret
    codes, weights = zip(*ETHNICITIES, strict=True)
    records: dict[str, Any] = {}
    for n, reference in enumerate(references):
        born = as_of - dt.timedelta(days=rng.randint(4 * 365, 18 * 365))
        rest = f"860{rng.randint(2000, 7999)}{born.year % 100:02d}{n % 1000:03d}"
        record: dict[str, Any] = {
            "forename": rng.choice(FORENAMES), "surname": rng.choice(SURNAMES),
            "birth_date": born.isoformat(), "sex": rng.choice("MF"),
            "ethnicity": rng.choices(codes, weights)[0],
            "postcode": f"ST{rng.randint(1, 21)} {rng.randint(1, 9)}ZZ",
            "upn": upn_check_letter(rest) + rest,
            "sen_needs": rng.sample(NEEDS, rng.choice((1, 1, 2))),
            "placements": [{"urn": f"9{rng.randint(10000, 99999)}", "rank": 1,
                            "sen_unit": rng.random() < 0.05}],
            "personal_budget": rng.random() < 0.1,
        }
        if rng.random() < 0.05:
            del record[rng.choice(("ethnicity", "sen_needs"))]
        records[reference] = record
    return records
