"""``ehc person set|show``, and the demo's invented person records."""

from __future__ import annotations

import datetime as dt

from demo.persons import invented_records
from engine.person import updated_record
from tests.cli_run import ehc
from tests.reporting.dataset import CASES, load


def test_set_and_show_by_staff_of_the_authority_only(staffed_env, staffed, capsys):
    load(staffed, {"A": CASES["A"]})
    code, out, _ = ehc(capsys, "person", "set", "A", "--field", "surname=Ash",
                       "--field", 'sen_needs=["ASD"]', "--field",
                       'placements=[{"urn": "124000"}]', "--user", "alice")
    assert code == 0
    assert out == "person record of A updated: surname, sen_needs, placements\n"
    code, out, _ = ehc(capsys, "person", "show", "A", "--user", "bob")
    assert code == 0
    assert "surname: Ash" in out
    assert "sen_needs: ['ASD']" in out
    code, out, err = ehc(capsys, "person", "show", "A", "--user", "dave")  # Hartlepool
    assert (code, out) == (1, "")
    assert "unknown case 'A'" in err
    code, _, err = ehc(capsys, "person", "set", "A", "--field", "postcode=nowhere",
                       "--user", "alice")
    assert code == 2
    assert "person record: postcode: not a UK postcode" in err
    assert "nowhere" not in err


def test_demo_person_records_are_valid_and_reproducible():
    refs = [f"EHC-{n}" for n in range(200)]
    records = invented_records(refs, 7, dt.date(2026, 11, 30))
    assert records == invented_records(refs, 7, dt.date(2026, 11, 30))
    for fields in records.values():
        updated_record(None, fields)  # every value passes its check (UPN letters included)
    incomplete = [r for r in records.values() if "ethnicity" not in r or "sen_needs" not in r]
    assert 0 < len(incomplete) < 30  # a few, for the validation report
