"""The LA calendar file format: validation errors, bank-holiday overrides, closure
derivation (A9), per-school overrides and the loader. The YAML here is a fictional LA."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from calendars import (
    CalendarDataError,
    EnglandCalendar,
    UnknownLocalAuthority,
    known_local_authorities,
    load_calendar,
    parse_calendar_data,
)

D = dt.date.fromisoformat

BASE = textwrap.dedent(
    """\
    la_code: E06000999
    la_name: Fictional Borough (test data)
    sources:
      - {id: la, url: https://example.org/term-dates, retrieved: 2026-11-22}
    inset_days: [2026-09-01]
    terms:
      - name: Summer 2026
        source: la
        first_day: 2026-04-13
        last_day: 2026-07-17
        breaks: [{first_day: 2026-05-25, last_day: 2026-05-29}]
      - name: Autumn 2026
        source: la
        first_day: 2026-09-02
        last_day: 2026-12-18
    """
)


def parse(extra: str = "", base: str = BASE):
    return parse_calendar_data(base + textwrap.dedent(extra), source="test.yaml")


def spans(closures):
    return [(c.closed_from.isoformat(), c.reopens_on.isoformat()) for c in closures]


# --- validation -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("la_code: [unclosed\n", "test.yaml: line 2, column 1: not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        (BASE.replace("la_code: E06000999", "la_code: W06000001"), "la_code: String should"),
        (BASE + "term: []\n", "test.yaml: term: Extra inputs are not permitted"),
        (BASE.replace("last_day: 2026-12-18", "last_day: 2026-08-01"),
         "terms[1]: term ends (2026-08-01) before it starts (2026-09-02)"),
        (BASE.replace("first_day: 2026-09-02", "first_day: 2026-13-02"),
         "terms[1].first_day: Input should be a valid date"),
        (BASE.replace("first_day: 2026-05-25", "first_day: 2026-04-13"),
         "is not strictly inside the term"),
        (BASE.replace("source: la\n    first_day: 2026-09", "source: lA\n    first_day: 2026-09"),
         "unknown source id(s): lA"),
        ("la_name: x\n", "la_code: Field required"),
        (BASE + "bank_holidays: {add: [{date: 2026-06-13, name: Sat}]}\n",
         "added bank holiday on a weekend: 2026-06-13"),
        (BASE + "bank_holidays: {add: [{date: 2026-06-12, name: X}], remove: [2026-06-12]}\n",
         "both added and removed: 2026-06-12"),
        (BASE + "closures: [{closed_from: 2026-08-01, reopens_on: 2026-08-01}]\n",
         "closures[0]: reopens_on (2026-08-01) is not after closed_from (2026-08-01)"),
    ],
)
def test_bad_calendar_file_gives_error_naming_file_and_field(text, message):
    with pytest.raises(CalendarDataError) as caught:
        parse_calendar_data(text, source="test.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("test.yaml: ")


def test_valid_file_parses_with_defaults_for_omitted_sections():
    data = parse()
    assert data.la_code == "E06000999"
    assert data.bank_holidays.add == ()
    assert data.schools == {}
    assert [t.name for t in data.terms] == ["Summer 2026", "Autumn 2026"]


def test_removing_a_day_that_is_not_a_bank_holiday_is_refused():
    data = parse("bank_holidays: {remove: [2026-06-12]}\n")
    with pytest.raises(CalendarDataError, match="2026-06-12 is not a bank holiday"):
        EnglandCalendar(data)


# --- bank holiday overrides -------------------------------------------------------------

def test_proclaimed_extra_bank_holiday_changes_working_day_arithmetic():
    plain = EnglandCalendar(parse())
    proclaimed = EnglandCalendar(
        parse("bank_holidays: {add: [{date: 2026-06-12, name: Proclaimed holiday}]}\n")
    )
    assert plain.add_working_days(D("2026-06-11"), 1) == D("2026-06-12")
    assert proclaimed.add_working_days(D("2026-06-11"), 1) == D("2026-06-15")
    assert not proclaimed.is_working_day(D("2026-06-12"))
    assert proclaimed.bank_holidays(2026)[D("2026-06-12")] == "Proclaimed holiday"


def test_moved_bank_holiday_is_removed_from_its_usual_day_and_added_on_the_new_one():
    moved = EnglandCalendar(
        parse(
            "bank_holidays:\n"
            "  remove: [2026-05-25]\n"
            "  add: [{date: 2026-05-28, name: Spring Bank Holiday (moved)}]\n"
        )
    )
    assert moved.is_working_day(D("2026-05-25"))
    assert moved.add_working_days(D("2026-05-27"), 1) == D("2026-05-29")
    assert D("2026-05-25") not in moved.bank_holidays(2026)


# --- closures (A9) ------------------------------------------------------------------------

def test_closures_between_terms_start_after_last_open_day_and_end_on_reopening():
    cal = EnglandCalendar(parse())
    assert spans(cal.closures(None)) == [
        ("2026-05-23", "2026-06-01"),   # half term: Sat after last day -> Monday back
        ("2026-07-18", "2026-09-01"),   # summer: reopens to staff on the INSET day
    ]


def test_inset_day_counts_as_open_so_it_moves_the_closure_edge():
    without_inset = EnglandCalendar(parse(base=BASE.replace("inset_days: [2026-09-01]", "")))
    assert spans(without_inset.closures(None))[-1] == ("2026-07-18", "2026-09-02")
    with_end_inset = BASE.replace("[2026-09-01]", "[2026-09-01, 2026-07-20]")
    end_inset = EnglandCalendar(parse(base=with_end_inset))
    assert spans(end_inset.closures(None))[-1] == ("2026-07-21", "2026-09-01")


def test_weekends_and_bank_holiday_mondays_inside_a_term_are_not_closures():
    cal = EnglandCalendar(parse())
    inside_terms = [c for c in cal.closures(None) if c.closed_from.month in (4, 5, 10, 11)]
    # May Day Mon 4 May 2026 and every weekend of the summer term give no closure;
    # only the half-term break does.
    assert spans(inside_terms) == [("2026-05-23", "2026-06-01")]


def test_explicit_closures_are_added_in_date_order_with_their_source_url():
    cal = EnglandCalendar(
        parse("closures: [{closed_from: 2026-12-19, reopens_on: 2027-01-04, source: la}]\n")
    )
    assert spans(cal.closures(None))[-1] == ("2026-12-19", "2027-01-04")
    assert cal.closures(None)[-1].source == "https://example.org/term-dates"


SCHOOL = """\
schools:
  "140001":
    name: Fictional Academy
    sources: [{id: academy, url: https://academy.example.org/dates, retrieved: 2026-11-22}]
    terms:
      - {name: Summer 2026, source: academy, first_day: 2026-04-13, last_day: 2026-07-10}
      - {name: Autumn 2026, source: academy, first_day: 2026-08-26, last_day: 2026-12-18}
"""


def test_school_with_own_dates_gets_its_own_closures_and_others_get_la_default():
    cal = EnglandCalendar(parse(SCHOOL))
    academy = cal.closures("140001")
    assert spans(academy) == [("2026-07-11", "2026-08-26")]
    assert {c.school for c in academy} == {"140001"}
    assert academy[0].source == "https://academy.example.org/dates"
    assert spans(cal.closures("999999")) == spans(cal.closures(None))
    assert cal.closures("999999")[0].school == "999999"


def test_school_entry_without_inset_days_falls_back_to_la_inset_days():
    cal = EnglandCalendar(parse(SCHOOL.replace("2026-08-26", "2026-09-02")))
    # The LA's INSET day Tue 1 Sep 2026 applies to the academy too.
    assert spans(cal.closures("140001"))[-1] == ("2026-07-11", "2026-09-01")


def test_plain_england_has_no_closures():
    assert load_calendar().closures("any school") == ()
    assert load_calendar(None).closures(None) == ()


# --- loader -------------------------------------------------------------------------------

def test_unknown_la_code_raises_with_the_known_codes():
    with pytest.raises(UnknownLocalAuthority) as caught:
        load_calendar("E06000999")
    assert isinstance(caught.value, KeyError)
    assert "E06000999" in str(caught.value)
    assert "E10000028" in str(caught.value)
    assert caught.value.known == tuple(known_local_authorities())


def test_la_code_is_matched_ignoring_case_and_spaces():
    assert load_calendar(" e10000028 ") is load_calendar("E10000028")


def test_known_local_authorities_lists_shipped_files():
    assert known_local_authorities() == {"E10000028": "Staffordshire County Council"}
