"""The 06:00 watchdog: a failed sweep or digest, no sweep tonight, or no digest after a
working day is emailed to the on-call address (flow names, states and times only); a good
night says nothing. The judging is pure; the flow runs for real under the harness and
mails a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.nightly_sweep import nightly_sweep
from flows.watchdog import overnight_watchdog
from services.watchdog import Run, problems

LONDON_6AM_TUE = dt.datetime(2026, 6, 23, 5, 0, tzinfo=dt.UTC)  # 06:00 BST
TONIGHT = dt.datetime(2026, 6, 23, 4, 0, tzinfo=dt.UTC)
YESTERDAY = dt.datetime(2026, 6, 22, 6, 0, tzinfo=dt.UTC)


def test_a_good_night_has_no_problems():
    runs = [Run("nightly-sweep", "COMPLETED", TONIGHT), Run("daily-digest", "COMPLETED",
                                                              YESTERDAY)]
    assert problems(runs, now=LONDON_6AM_TUE) == []


def test_a_failed_run_a_missing_sweep_and_a_missing_digest_are_each_named():
    runs = [Run("sweep-authority", "FAILED", TONIGHT, "brave-owl"),
            Run("nightly-sweep", "COMPLETED", YESTERDAY)]  # last night's, not tonight's
    assert problems(runs, now=LONDON_6AM_TUE) == [
        "sweep-authority run brave-owl failed (started 2026-06-23 05:00)",
        "no nightly sweep has completed since 00:00 on Tue 23 Jun 2026",
        "no daily digest completed on Mon 22 Jun 2026",
    ]


def test_no_digest_is_expected_after_a_sunday():
    monday_6am = dt.datetime(2026, 6, 22, 5, 0, tzinfo=dt.UTC)
    runs = [Run("nightly-sweep", "COMPLETED", dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC))]
    assert problems(runs, now=monday_6am) == []


@pytest.mark.prefect
@pytest.mark.smtp
def test_the_watchdog_tells_on_call_when_no_sweep_ran_and_not_after_one(
    flow_env, smtp_sink, monkeypatch
):
    monkeypatch.setenv("EHC_ONCALL_EMAIL", "oncall@council.example")
    now = dt.datetime.now(dt.UTC)
    state = overnight_watchdog(now=now + dt.timedelta(days=2), return_state=True)
    assert state.is_failed()
    assert "no nightly sweep has completed" in state.message
    [mail] = smtp_sink.received
    assert mail["To"] == "oncall@council.example"
    assert "overnight run needs attention" in mail["Subject"]
    assert "no nightly sweep has completed" in mail.get_content()

    nightly_sweep()  # tonight's sweep (nothing to do) completes
    state = overnight_watchdog(now=dt.datetime.now(dt.UTC), return_state=True)
    assert "no nightly sweep" not in (state.message or "")
