"""Plans under annual review: the yearly cycle, amendments, and phase transfers.

As in ``demo.assessment``, the rates are the demo's tuning values: most reviews are held
before the 12 months run out but a real minority are not, review decisions and amended
plans are often late (the *Devon* 12-week backstop is widely missed), and most
phase-transfer plans are amended by the 15 February deadline.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from demo.timeline import Timeline, days, working_day
from engine.periods import end_of_months_starting_with

OVERDUE_MEETING_RATE = 0.25
LATE_DECISION_RATE = 0.22
ON_TIME_AMENDMENT_RATE = 0.55
BOOKED_AHEAD = dt.timedelta(days=63)  # the furthest ahead a meeting is scheduled


@dataclass(frozen=True)
class Transfer:
    """A phase transfer expected on ``on`` (reg 18), from one phase to the next."""

    from_phase: str
    to_phase: str
    on: dt.date

    @property
    def last_day(self) -> dt.date:
        """Reg 18(1): amend before 31 March (secondary to post-16) or 15 February."""
        month, day = (3, 30) if self.to_phase == "post16_institution" else (2, 14)
        return dt.date(self.on.year, month, day)


TRANSFERS = (  # (from, to, weight)
    ("primary", "secondary", 40),
    ("secondary", "post16_institution", 30),
    ("early_years", "school", 20),
    ("infant", "junior", 10),
)


def pick_transfer(rng: random.Random, september: dt.date) -> Transfer:
    from_phase, to_phase, _ = rng.choices(TRANSFERS, [w for *_, w in TRANSFERS])[0]
    return Transfer(from_phase, to_phase, september)


def simulate_reviews(
    rng: random.Random, tl: Timeline, reviewed: dt.date, until: dt.date,
    transfer: Transfer | None = None,
) -> str | None:
    """Annual review cycles after the review (or plan) dated ``reviewed``, while they start
    by ``until``. Returns the outcome of the last decision made by then, if any."""
    outcome = None
    while True:
        meeting = _meeting_day(rng, reviewed, transfer)
        if meeting - BOOKED_AHEAD > until:
            return outcome  # not even booked yet
        decided, outcome = _review_cycle(rng, tl, meeting, transfer)
        if decided > until or outcome == "cease":
            return outcome
        reviewed, transfer = decided, None  # A5: the next 12 months run from the decision


def _meeting_day(rng: random.Random, reviewed: dt.date, transfer: Transfer | None) -> dt.date:
    if transfer is not None:
        # Transfer reviews are brought forward into the autumn term before the move.
        autumn = dt.date(transfer.on.year - 1, 9, 20)
        return working_day(max(autumn + days(rng, 0, 90), reviewed + days(rng, 60, 90)))
    due = end_of_months_starting_with(reviewed, 12)  # T5, as the engine counts it
    if rng.random() < OVERDUE_MEETING_RATE:
        return working_day(due + days(rng, 1, 120))
    return working_day(due - days(rng, 14, 70))


def _review_cycle(
    rng: random.Random, tl: Timeline, meeting: dt.date, transfer: Transfer | None
) -> tuple[dt.date, str]:
    """Meeting, decision and any amendment; returns the decision's date and outcome."""
    invited = meeting - (days(rng, 14, 35) if rng.random() < 0.9 else days(rng, 5, 13))
    tl.add(working_day(invited - days(rng, 0, 28)), "review_meeting_scheduled",
           meeting_date=meeting)
    tl.add(working_day(invited), "review_invitations_sent")
    circulated = meeting - (days(rng, 14, 20) if rng.random() < 0.8 else days(rng, 2, 13))
    tl.add(working_day(circulated), "review_advice_circulated")
    tl.add(meeting, "review_meeting_held", attends="school")
    reported = meeting + (days(rng, 3, 14) if rng.random() < 0.85 else days(rng, 15, 35))
    tl.add(working_day(reported), "review_report_sent")
    decided = working_day(meeting + (days(rng, 29, 75) if rng.random() < LATE_DECISION_RATE
                                 else days(rng, 7, 28)))
    if transfer is not None:
        outcome = "amend"
    else:
        outcome = rng.choices(("amend", "maintain", "cease"), (55, 41, 4))[0]
    tl.add(decided, "review_decision_notified", outcome=outcome)
    if outcome == "cease":
        tl.add(decided, "decision_letter_sent", decision="cease_to_maintain", method="email")
    elif outcome == "amend":
        _amend(rng, tl, meeting, decided, transfer)
    return decided, outcome


def _amend(
    rng: random.Random, tl: Timeline, meeting: dt.date, decided: dt.date,
    transfer: Transfer | None,
) -> None:
    # Devon: the proposed amendments should go with the decision; often they follow later.
    sent = decided if rng.random() < 0.8 else working_day(decided + days(rng, 1, 40))
    tl.add(sent, "amendment_notice_served", method=rng.choice(("email", "email", "hand")))
    if rng.random() < 0.04:
        tl.add(working_day(sent + days(rng, 20, 50)), "decision_not_to_amend_notified")
        return
    earliest = sent + days(rng, 16, 24)
    if transfer is not None:
        due, on_time = transfer.last_day, rng.random() < 0.8
    else:
        due = min(sent + dt.timedelta(weeks=8), meeting + dt.timedelta(weeks=12))
        on_time = rng.random() < ON_TIME_AMENDMENT_RATE
    if on_time and due > earliest:
        issued = earliest + days(rng, 0, (due - earliest).days)
    else:
        issued = max(earliest, due + days(rng, 1, 110))
    tl.add(working_day(issued), "amended_plan_issued")
