"""withdrawal_reason: whether a notice decided on an earlier night is still true when it
is finally delivered, judged on the deadline as projected at delivery time."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from engine.escalation import Track, withdrawal_reason
from engine.status import Deadline

D = dt.date.fromisoformat
OPEN = Deadline(
    key="final_plan_due", instance="", rule="R06", kind="limit", statutory=True,
    nominal=D("2026-06-19"), due=D("2026-06-19"), trigger="request_received",
    trigger_date=D("2026-01-30"), citation="SEND Regs 2014 reg 13(2)", explanation="",
)
WINDOW = replace(OPEN, key="draft_representations_end", rule="R04", kind="window",
                 premature_on=D("2026-06-10"))


@pytest.mark.parametrize("track", [Track.STATUTORY, Track.ADVISORY, Track.DISAPPLIED,
                                   Track.PREMATURE])
def test_a_deadline_gone_from_the_projection_withdraws_any_notice(track):
    assert withdrawal_reason(track, None) == (
        "the deadline no longer exists in the case's projection"
    )


def test_a_reminder_or_breach_of_an_open_deadline_still_stands():
    assert withdrawal_reason(Track.STATUTORY, OPEN) is None
    assert withdrawal_reason(Track.ADVISORY, replace(OPEN, statutory=False)) is None


def test_a_met_deadline_withdraws_its_notice_even_when_met_late():
    met = replace(OPEN, met_on=D("2026-06-23"), met_by="final_plan_issued")
    assert withdrawal_reason(Track.STATUTORY, met) == "met on 2026-06-23 by final_plan_issued"
    assert withdrawal_reason(Track.DISAPPLIED, replace(met, due=None)) == (
        "met on 2026-06-23 by final_plan_issued"
    )


def test_a_limit_disapplied_since_withdraws_a_reminder_or_breach_but_not_its_asap_notice():
    lifted = replace(OPEN, due=None, exception="reg13_3_c_exceptional_personal_circumstances")
    assert withdrawal_reason(Track.STATUTORY, lifted) == (
        "the limit is now disapplied by a recorded exception "
        "(reg13_3_c_exceptional_personal_circumstances)"
    )
    assert withdrawal_reason(Track.DISAPPLIED, lifted) is None


def test_an_as_soon_as_practicable_notice_is_withdrawn_when_the_limit_applies_again():
    assert withdrawal_reason(Track.DISAPPLIED, OPEN) == "the limit applies again: due 2026-06-19"


def test_a_premature_notice_stands_while_the_early_act_is_recorded_met_or_not():
    assert withdrawal_reason(Track.PREMATURE, replace(WINDOW, met_on=D("2026-06-10"))) is None
    assert withdrawal_reason(Track.PREMATURE, replace(WINDOW, premature_on=None)) == (
        "the early act is no longer recorded"
    )
