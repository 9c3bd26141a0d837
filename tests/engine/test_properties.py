"""Property tests over generated case histories (issue 2, "How it must be tested").

``histories()`` composes plausible event sequences of the assessment and review
processes (with appeals, mediation, phase transfers, LA moves, re-assessment and
recorded exceptions on the grounds the law allows for each clock) with random gaps, and
the properties check what must hold for every history:

* no deadline falls before the event that triggers it, except the rules that count
  backwards - found from the rules table's periods, and checked to be exactly R09 (two
  weeks before a meeting) and R13 (before a phase transfer) - and R12c's combined date;
* adding a genuinely unrelated event changes nothing;
* replaying the same history, in any input order, gives identical deadlines;
* a disapplied limit never reports breached, on any day;
* status_on is sensible and monotone: a limit never met is never "met_*".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.periods import DayBefore, Days, Months, OnDate, Weeks
from engine.rules import TIMESCALES, Rule
from engine.status import Deadline, Status, days_late, status_on

ENGLAND = load_calendar()
STAFFORDSHIRE = load_calendar("E10000028")
SCHOOL, OTHER_SCHOOL = "URN100001", "URN999999"
ADVISERS = ("educational_psychologist", "health_icb", "social_care", "head_teacher",
            "early_years_provider")
SCHOOL_ADVISERS = ("head_teacher", "early_years_provider")
FOUR = ("a_school_closure", "b_early_years_closure", "c_exceptional_personal_circumstances",
        "d_absent_4_weeks")
# §5.1 scope per clock and §5.2, from the law (not from the engine's table).
LAW_GROUNDS: dict[str, tuple[str, ...]] = {
    "decision_to_assess": tuple(f"reg5_4_{g}" for g in FOUR),
    "decision_not_to_issue": tuple(f"reg10_4_{g}" for g in FOUR),
    "final_plan": tuple(f"reg13_3_{g}" for g in FOUR) + tuple(f"reg10_4_{g}" for g in FOUR),
    "reassessment_final_plan": tuple(f"reg27_3_{g}" for g in FOUR),
    "advice": ("reg8_2_a_exceptional_circumstances", "reg8_2_b_absent_4_weeks",
               "reg8_2_c_appointment_not_kept"),
}
TRANSFERS = (("early_years", "school"), ("infant", "junior"), ("primary", "secondary"),
             ("middle", "secondary"), ("secondary", "post16_institution"),
             ("post16_institution", "post16_institution"), ("primary", "primary"))
DRAFTS = (("draft_plan_served", "email"), ("draft_plan_served", "hand"),
          ("draft_plan_posted", "first_class_post"), ("draft_plan_posted", "second_class_post"))
NOTICE_METHODS = ("email", "hand", "first_class_post", "second_class_post")
PROPERTY = settings(deadline=None, max_examples=100,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Builder:
    """Draws one history: a main chain of dated steps plus side events."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.events: list[dict[str, Any]] = []

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.draw(st.integers(lo, hi)))

    def flip(self, chance: float = 0.5) -> bool:
        return self.draw(st.floats(0, 1)) < chance

    def pick(self, options: Any) -> Any:
        return self.draw(st.sampled_from(options))

    def add(self, kind: str, day: dt.date, **fields: Any) -> None:
        self.events.append({"type": kind, "date": day.isoformat(), **fields})

    def exception(self, day: dt.date, clock: str, **fields: Any) -> None:
        self.add("exception_recorded", day, ground=self.pick(LAW_GROUNDS[clock]),
                 applies_to=[clock], **fields)


def _advice(b: Builder, decided: dt.date) -> None:
    for i, adviser in enumerate(b.draw(st.lists(st.sampled_from(ADVISERS), max_size=3))):
        asked, advice_id = decided + b.days(0, 40), f"advice-{i}"
        school = {"school": SCHOOL} if adviser in SCHOOL_ADVISERS else {}
        b.add("advice_requested", asked, advisor=adviser, advice_id=advice_id, **school)
        if b.flip(0.2):
            b.add("appointment_not_kept", asked + b.days(0, 50), advice_id=advice_id)
        if b.flip(0.2):
            b.exception(asked + b.days(0, 30), "advice", advice_id=advice_id)
        if b.flip(0.7):
            b.add("advice_received", asked + b.days(0, 80), advice_id=advice_id)


def _appeal(b: Builder, day: dt.date, decision: str, orders: tuple[str, ...]) -> dt.date:
    """A decision letter and, perhaps, mediation, an appeal and an order; returns the last day."""
    b.add("decision_letter_sent", day, decision=decision)
    last = day
    if b.flip():
        kind = b.pick(("mediation_requested", "mediation_declined"))
        last += b.days(0, 70)
        b.add(kind, last)
        if kind == "mediation_requested" and b.flip():
            last += b.days(0, 40)
            b.add("mediation_concluded", last)
        if b.flip():
            last += b.days(0, 10)
            b.add("mediation_certificate_issued", last)
    if b.flip(0.4):
        last += b.days(0, 90)
        b.add("appeal_registered", last)
        if orders and b.flip():
            last += b.days(10, 200)
            kind, value = b.pick(orders).split(":")
            field = "order" if kind == "tribunal_order" else "appeal"
            b.add(kind, last, **{field: value})
    return last


def _assessment(b: Builder, day: dt.date) -> tuple[dt.date, bool]:
    """Request to final plan (or refusal / not to issue); returns the day and if a plan exists."""
    requested = day
    b.add(b.pick(("request_received", "la_became_responsible")), day)
    for clock in ("decision_to_assess", "decision_not_to_issue", "final_plan"):
        if b.flip(0.15):
            b.exception(requested + b.days(0, 60), clock)
    if b.flip(0.2):
        start = requested + b.days(0, 100)
        b.add("absence_from_area", start, **{"from": start.isoformat(),
                                             "to": (start + b.days(0, 60)).isoformat()})
    day += b.days(0, 60)
    outcome = b.pick(("assess", "assess", "refuse"))
    b.add("decision_to_assess_notified", day, outcome=outcome)
    if outcome == "refuse":
        orders = ("tribunal_order:assess", "unopposed_appeal_notified:refuse_to_assess")
        return (_appeal(b, day, "refuse_to_assess", orders) if b.flip() else day), False
    _advice(b, day)
    day += b.days(0, 100)
    if b.flip(0.15):
        b.add("decision_not_to_issue_notified", day)
        orders = ("tribunal_order:make_and_maintain_plan",)
        return (_appeal(b, day, "refuse_to_issue", orders) if b.flip() else day), False
    kind, method = b.pick(DRAFTS)
    b.add(kind, day, method=method)
    if b.flip(0.3):
        b.add("school_consulted", day + b.days(0, 10), school=SCHOOL)
    if b.flip(0.2):
        day += b.days(1, 30)
        kind, method = b.pick(DRAFTS)
        b.add(kind, day, method=method)
    if b.flip(0.2):
        return day, False
    day += b.days(0, 60)
    b.add("final_plan_issued", day)
    if b.flip(0.2):
        day = _appeal(b, day, "final_plan_contents", ("tribunal_order:amend_plan",
                                                     "unopposed_appeal_notified:contents"))
    return day, True


def _review_cycle(b: Builder, day: dt.date) -> tuple[dt.date, bool]:
    """One annual review; returns the day and whether the plan goes on."""
    day += b.days(30, 400)
    if b.flip():
        meeting = day + b.days(0, 40)
        b.add("review_meeting_scheduled", day, meeting_date=meeting.isoformat())
        for kind in ("review_invitations_sent", "review_advice_circulated"):
            if b.flip():
                b.add(kind, day + b.days(0, (meeting - day).days))
        day = meeting
    b.add("review_meeting_held", day)
    if b.flip():
        b.add("review_report_sent", day + b.days(0, 30))
    day += b.days(0, 60)
    outcome = b.pick(("maintain", "amend", "amend", "cease"))
    b.add("review_decision_notified", day, outcome=outcome)
    if outcome == "cease":
        if b.flip(0.3):
            _appeal(b, day, "cease_to_maintain", ("tribunal_order:cease_dismissed",))
        return day, False
    if outcome == "amend" and b.flip(0.8):
        day += b.days(0, 40)
        b.add("amendment_notice_served", day, method=b.pick(NOTICE_METHODS))
        if b.flip(0.7):
            day += b.days(0, 100)
            b.add(b.pick(("amended_plan_issued", "decision_not_to_amend_notified")), day)
    return day, True


def _side_events(b: Builder, start: dt.date) -> None:
    if b.flip(0.3):
        from_, to = b.pick(TRANSFERS)
        b.events.append({"type": "phase_transfer_expected", "from": from_, "to": to,
                         "transfer_date": (start + b.days(0, 1500)).isoformat()})
    if b.flip(0.2):
        b.add("child_date_of_birth", start - b.days(0, 4 * 365))  # under 5: R08 runs
    if b.flip(0.2):
        aware = start + b.days(0, 900)
        b.add("move_notified_to_old_la", aware, move_date=(aware + b.days(-10, 60)).isoformat())
        if b.flip():
            moved = aware + b.days(0, 40)
            b.add("plan_transferred", moved)
            if b.flip():
                b.add("new_la_notified", moved + b.days(0, 60))


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid case history as JSON-like events, in chronological order."""
    b = Builder(draw)
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)))
    if b.flip(0.7):
        day, has_plan = _assessment(b, start)
    else:
        day, has_plan = start, True
        b.add(b.pick(("final_plan_issued", "plan_last_reviewed")), start)
    for _ in range(draw(st.integers(0, 3)) if has_plan else 0):
        day, has_plan = _review_cycle(b, day)
        if not has_plan:
            break
    if has_plan and b.flip(0.15):
        day += b.days(0, 200)
        b.add("reassessment_request_received", day)
        day += b.days(0, 30)
        outcome = b.pick(("reassess", "refuse"))
        b.add("reassessment_decision_notified", day, outcome=outcome)
        if outcome == "reassess" and b.flip(0.3):
            b.exception(day + b.days(0, 60), "reassessment_final_plan")
    _side_events(b, start)
    return b.events


def project(events: list[dict[str, Any]], calendar: Any = ENGLAND) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(events), calendar)


# --- no deadline before its trigger, except the backward-counting rules -------------------


def counts_backwards(rule: Rule) -> bool:
    """A period that ends before its start: negative lengths, or a fixed date in the year."""
    period = rule.period
    if isinstance(period, Weeks | Months | Days):
        return period.n < 0
    return isinstance(period, DayBefore | OnDate)


BACKWARD_KEYS = frozenset(r.key for r in TIMESCALES if counts_backwards(r))
# R12c's combined date is the earlier of notice + 8 weeks and *meeting* + 12 weeks (A8), so
# after a very late notice it precedes the notice that triggers it, never the meeting.
COMBINED_KEYS = frozenset(
    r.key for r in TIMESCALES if r.special == "earliest_of_reg22_and_devon"
)


def test_backward_counting_rules_are_exactly_R09_and_R13():
    assert {r.id for r in TIMESCALES if counts_backwards(r)} == {"R09", "R13"}
    assert {r.id for r in TIMESCALES if r.key in COMBINED_KEYS} == {"R12c"}


def _meetings_before(events: list[dict[str, Any]], day: dt.date) -> list[dt.date]:
    held = (dt.date.fromisoformat(e["date"]) for e in events if e["type"] == "review_meeting_held")
    return sorted(m for m in held if m <= day)


@PROPERTY
@given(histories())
def test_no_deadline_falls_before_its_trigger_except_R09_R13(events):
    for d in project(events):
        assert d.due in (None, d.nominal)
        if d.key in BACKWARD_KEYS:
            continue
        if d.key in COMBINED_KEYS:
            meetings = _meetings_before(events, d.trigger_date)
            reg22 = d.trigger_date + dt.timedelta(weeks=8)
            expected = min(reg22, meetings[-1] + dt.timedelta(weeks=12)) if meetings else reg22
            assert d.nominal == expected
            assert not meetings or d.nominal >= meetings[-1]
            continue
        assert d.nominal >= d.trigger_date, (d.key, d.trigger_date, d.nominal)


# --- adding an unrelated event changes nothing ---------------------------------------------


@st.composite
def unrelated_events(draw: st.DrawFn, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events that, by the law, cannot affect this case's clocks."""
    first = min(dt.date.fromisoformat(e.get("date") or e["transfer_date"]) for e in events)
    anchor = first + dt.timedelta(days=draw(st.integers(0, 700)))
    length = dt.timedelta(days=draw(st.integers(28, 60)))
    extra = [
        # A long closure, but of a school nobody was asked about.
        {"type": "school_closure", "school": OTHER_SCHOOL, "closed_from": anchor.isoformat(),
         "reopens_on": (anchor + length).isoformat()},
        # A closure of the school asked, but under 4 weeks: never a ground (§5.1).
        {"type": "school_closure", "school": SCHOOL, "closed_from": anchor.isoformat(),
         "reopens_on": (anchor + dt.timedelta(days=draw(st.integers(1, 27)))).isoformat()},
        # An absence from the area shorter than 4 weeks.
        {"type": "absence_from_area", "date": anchor.isoformat(), "from": anchor.isoformat(),
         "to": (anchor + dt.timedelta(days=draw(st.integers(0, 26)))).isoformat()},
    ]
    if not any(e["type"] == "child_date_of_birth" for e in events):
        # A date of birth making the child over 5 on every date of the case (no R08).
        born = first - dt.timedelta(days=draw(st.integers(6 * 366, 20 * 365)))
        extra.append({"type": "child_date_of_birth", "date": born.isoformat()})
    return draw(st.lists(st.sampled_from(extra), min_size=1, max_size=len(extra), unique_by=id))


@PROPERTY
@given(st.data())
def test_adding_an_unrelated_event_changes_nothing(data):
    events = data.draw(histories())
    extra = data.draw(unrelated_events(events))
    calendar = data.draw(st.sampled_from([ENGLAND, STAFFORDSHIRE]))
    assert project(events + extra, calendar) == project(events, calendar)


# --- replaying gives the same result, in any input order -----------------------------------


@PROPERTY
@given(st.data())
def test_replaying_the_same_history_in_any_order_gives_identical_deadlines(data):
    events = data.draw(histories())
    shuffled = data.draw(st.permutations(events))
    first = project(events)
    assert project(events) == first
    assert project(list(shuffled)) == first


# --- a disapplied clock never reports breached -----------------------------------------------


def _as_ofs(data: st.DataObject, d: Deadline) -> list[dt.date]:
    offsets = data.draw(st.lists(st.integers(-400, 800), min_size=1, max_size=8))
    return [d.nominal + dt.timedelta(days=o) for o in offsets] + [
        d.nominal, d.nominal + dt.timedelta(days=1), d.trigger_date]


@PROPERTY
@given(st.data())
def test_a_disapplied_limit_never_reports_breached_on_any_day(data):
    for d in project(data.draw(histories())):
        if d.due is not None:
            continue
        assert d.kind == "limit"
        assert d.exception is not None
        for day in _as_ofs(data, d):
            assert status_on(d, day, ENGLAND) is Status.DISAPPLIED
            assert days_late(d, day) is None


# --- status_on is sensible and monotone ----------------------------------------------------


PROGRESS = {Status.PENDING: 0, Status.DUE_SOON: 1, Status.BREACHED: 2}
MET = {Status.MET_ON_TIME, Status.MET_LATE}


def _check_limit(d: Deadline, days: list[dt.date]) -> None:
    assert d.due is not None
    rank = -1
    for day in sorted(days):
        status = status_on(d, day, ENGLAND)
        late = days_late(d, day)
        if d.met_on is not None and d.met_on <= day:
            assert status is (Status.MET_ON_TIME if d.met_on <= d.due else Status.MET_LATE)
            assert late == (None if d.met_on <= d.due else (d.met_on - d.due).days)
            continue
        assert status not in MET, "a limit not met by as_of is never met_*"
        assert status is (Status.BREACHED if day > d.due else status)
        assert late == ((day - d.due).days if day > d.due else None)
        assert PROGRESS[status] >= rank, "pending -> due soon -> breached, never back"
        rank = PROGRESS[status]


@PROPERTY
@given(st.data())
def test_status_on_is_monotone_and_a_limit_never_met_is_never_met(data):
    for d in project(data.draw(histories())):
        days = _as_ofs(data, d)
        if d.kind == "limit" and d.due is not None:
            _check_limit(d, days)
        elif d.kind == "window":
            for day in days:
                breached = d.premature_on is not None and d.premature_on <= day
                assert (status_on(d, day, ENGLAND) is Status.BREACHED) is breached
        elif d.kind == "date":
            for day in days:
                assert status_on(d, day, ENGLAND) in (Status.PENDING, Status.MET_ON_TIME)
