"""One EHC needs assessment, from the request to the final plan (or a refusal).

The probabilities below are the demo's lateness profile, chosen so the generated data
looks like DfE's SEN2 returns (statutory-rules.md §9): about three requests in four go to
assessment, about half of new plans take longer than 20 weeks, and advice from the
educational psychology service is the piece most often late. They are tuning values for
a demonstration, not statistics about any real council.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from demo.timeline import DAY, Timeline, days, working_day

REFUSAL_RATE = 0.22  # requests refused at the 6-week decision
NOT_TO_ISSUE_RATE = 0.06  # assessed, then decided a plan is not necessary
LATE_DECISION_RATE = 0.2  # 6-week decision made late

# Shares of drafts held up for months, and for weeks, by the panel and writing backlog.
DRAFTING_BACKLOG = (0.07, 0.18)

SummerClosure = Callable[[int], tuple[dt.date, dt.date]]


@dataclass(frozen=True)
class AdviceProfile:
    advisor: str
    on_time: float  # share of requests answered within the 6 weeks
    late_by: tuple[int, int]  # days after the request when late, [low, high]


ADVICE = (
    AdviceProfile("educational_psychologist", on_time=0.6, late_by=(43, 150)),
    AdviceProfile("health_icb", on_time=0.72, late_by=(43, 90)),
    AdviceProfile("social_care", on_time=0.78, late_by=(43, 80)),
    AdviceProfile("head_teacher", on_time=0.88, late_by=(43, 70)),
)


@dataclass(frozen=True)
class Assessment:
    """What the simulation decided, for the generator to file the case under."""

    timeline: Timeline
    request: dt.date
    plan_issued: dt.date | None  # the final plan's date, if the assessment gets that far
    closed_on: dt.date | None  # refusal or decision not to issue


def simulate_assessment(
    rng: random.Random, request: dt.date, school: str, summer: SummerClosure
) -> Assessment:
    """Every step of one assessment requested on ``request`` (beyond ``as_of`` too).

    ``summer(year)`` gives that year's summer closure of the child's school, the one
    closure long enough for the reg 13(3)(a) exception."""
    tl = Timeline()
    tl.add(request, "request_received", requester=_requester(rng), channel=_channel(rng))
    decided = working_day(request + (days(rng, 43, 77) if rng.random() < LATE_DECISION_RATE
                                 else days(rng, 14, 41)))
    if rng.random() < REFUSAL_RATE:
        tl.add(decided, "decision_to_assess_notified", outcome="refuse")
        _decision_letter(rng, tl, decided, "refuse_to_assess")
        return Assessment(tl, request, plan_issued=None, closed_on=decided)
    tl.add(decided, "decision_to_assess_notified", outcome="assess")
    asked = working_day(decided + days(rng, 0, 4))
    advice_in = _advice(rng, tl, asked, school)
    if rng.random() < NOT_TO_ISSUE_RATE:
        closed = working_day(advice_in + days(rng, 5, 20))
        tl.add(closed, "decision_not_to_issue_notified")
        _decision_letter(rng, tl, closed, "refuse_to_issue")
        return Assessment(tl, request, plan_issued=None, closed_on=closed)
    issued = _draft_and_final(rng, tl, advice_in, school)
    if issued - request > dt.timedelta(weeks=20):
        _maybe_exception(rng, tl, request, asked, school, summer(asked.year))
    return Assessment(tl, request, plan_issued=issued, closed_on=None)


def _advice(rng: random.Random, tl: Timeline, asked: dt.date, school: str) -> dt.date:
    """Ask every adviser; returns the day the last advice came in."""
    last = asked
    for profile in ADVICE:
        advice_id = f"{profile.advisor}-1"
        extra = {"school": school} if profile.advisor == "head_teacher" else {}
        tl.add(asked, "advice_requested", advisor=profile.advisor, advice_id=advice_id, **extra)
        on_time = rng.random() < profile.on_time
        took = days(rng, 20, 41) if on_time else days(rng, *profile.late_by)
        received = working_day(asked + took)
        if not on_time and profile.advisor == "educational_psychologist" and rng.random() < 0.1:
            # A missed appointment is one of the few lawful reasons for late advice (reg 8(2)(c)).
            missed = working_day(asked + days(rng, 10, 30))
            tl.add(missed, "appointment_not_kept", advisor=profile.advisor, advice_id=advice_id)
            tl.add(working_day(missed + days(rng, 1, 5)), "exception_recorded",
                   ground="reg8_2_c_appointment_not_kept", applies_to=["advice"],
                   advice_id=advice_id)
        tl.add(received, "advice_received", advisor=profile.advisor, advice_id=advice_id)
        last = max(last, received)
    return last


def _draft_and_final(rng: random.Random, tl: Timeline, advice_in: dt.date, school: str) -> dt.date:
    """Panel, draft, 15-day window and school consultation; returns the final plan's date."""
    drafted = working_day(advice_in + _drafting_time(rng))
    if rng.random() < 0.15:
        tl.add(drafted, "draft_plan_posted", method="first_class_post")
        window = days(rng, 20, 30)  # deemed served two working days after posting
    else:
        tl.add(drafted, "draft_plan_served", method=rng.choice(("email", "email", "hand")))
        window = days(rng, 15, 25)
    tl.add(working_day(drafted + days(rng, 0, 3)), "school_consulted", school=school)
    if rng.random() < 0.12:
        window += days(rng, 20, 70)  # a disputed placement: several schools consulted in turn
    return tl.add(working_day(drafted + window), "final_plan_issued")


def _drafting_time(rng: random.Random) -> dt.timedelta:
    """Panel and plan writing: usually weeks, but a backlog can hold a draft for months."""
    backlog = rng.random()
    if backlog < DRAFTING_BACKLOG[0]:
        return days(rng, 150, 300)
    if backlog < DRAFTING_BACKLOG[0] + DRAFTING_BACKLOG[1]:
        return days(rng, 25, 90)
    return days(rng, 5, 14)


def _maybe_exception(
    rng: random.Random, tl: Timeline, request: dt.date, asked: dt.date, school: str,
    closure: tuple[dt.date, dt.date],
) -> None:
    """Record a reg 13(3) exception on some late plans, only where a ground really arose."""
    closed_from, reopens_on = closure
    if closed_from - 7 * DAY <= asked <= reopens_on - 7 * DAY and rng.random() < 0.6:
        tl.fact(asked, "school_closure", school=school, closed_from=closed_from,
                reopens_on=reopens_on)
        tl.add(working_day(reopens_on), "exception_recorded", ground="reg13_3_a_school_closure",
               applies_to=["final_plan"])
    elif rng.random() < 0.08:
        tl.add(working_day(request + days(rng, 50, 120)), "exception_recorded",
               ground="reg13_3_c_exceptional_personal_circumstances", applies_to=["final_plan"])
    elif rng.random() < 0.02:
        away = request + days(rng, 40, 80)
        back = away + days(rng, 28, 45)
        tl.add(working_day(back), "absence_from_area", **{"from": away, "to": back})
        tl.add(working_day(back + days(rng, 0, 5)), "exception_recorded",
               ground="reg13_3_d_absent_4_weeks", applies_to=["final_plan"])


def _decision_letter(rng: random.Random, tl: Timeline, sent: dt.date, decision: str) -> None:
    tl.add(sent, "decision_letter_sent", decision=decision, method="email")
    if rng.random() < 0.2:
        # Some families contact the mediation adviser, decline mediation and appeal.
        declined = working_day(sent + days(rng, 10, 50))
        tl.add(declined, "mediation_declined")
        certificate = working_day(declined + days(rng, 1, 3))
        tl.add(certificate, "mediation_certificate_issued")
        if rng.random() < 0.6:
            tl.add(working_day(certificate + days(rng, 5, 25)), "appeal_registered")


def _requester(rng: random.Random) -> str:
    return rng.choices(("parent", "school", "young_person", "health"), (60, 32, 3, 5))[0]


def _channel(rng: random.Random) -> str:
    return rng.choices(("email", "portal", "post"), (55, 35, 10))[0]
