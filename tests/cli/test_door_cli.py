"""The door through ``ehc`` (issue 13), on SQLite and PostgreSQL: bad input is one line
``ehc: error: ...`` naming what is wrong, exit 2, never a traceback or a driver error, and
nothing is written. Today is read once, by the command (``services.bootstrap``)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_store_cli import ehc

from services.bootstrap import london_today

LA = "E10000028"
FUTURE = (london_today() + dt.timedelta(days=30)).isoformat()
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def case(staffed_env, capsys, monkeypatch):
    monkeypatch.setenv("EHC_USER", "alice")
    assert ehc(capsys, "case", "open", "C1", "--process", "assessment", "--caseworker",
               "alice", "--la", LA)[0] == 0
    assert ehc(capsys, "event", "add", "C1", "request_received", "--date", "2025-01-06")[0] == 0
    return staffed_env


def exported(capsys):
    code, out, _ = ehc(capsys, "export")
    assert code == 0
    return json.loads(out)["cases"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["event", "add", "C1", "decision_to_assess_notified", "--date", FUTURE, "--field",
          "outcome=assess"], f"date: {FUTURE} is after today"),
        (["event", "add", "C1", "child_date_of_birth", "--date", FUTURE], "is after today"),
        (["event", "add", "C1", "decision_to_assess_notified", "--date", "9999-12-31",
          "--field", "outcome=assess"], "outside the dates the engine counts with"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-11", "--field",
          "advisor=educational_psychologist", "--field", "received_on=20/07/2026"],
         "'20/07/2026' is not a date written YYYY-MM-DD (e.g. 2026-07-20 for 20/07/2026)"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-11", "--field",
          "advisor=educational_psychologist", "--field", "recorded_by=mallory"],
         "recorded_by is not an event field"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-11", "--field",
          "advisor=educational_psychologist", "--field", f"deep={DEEP}"],
         "field deep: JSON nested too deeply"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-11", "--field",
          "advisor=educational_psychologist", "--field", "advice_id=" + "a" * 201],
         "advice_id: 201 characters is longer than the 190 allowed"),
        (["event", "add", "C1", "exception_recorded", "--date", "2025-02-11", "--field",
          "ground=covid_2020", "--field", 'applies_to=["nope"]'],
         "applies_to: unknown 'nope': expected one or more of"),
        (["event", "add", "C1", "request_received", "--date", "2025-01-07", "--expected-seq",
          "-1"], "expected seq -1 is below zero"),
        (["event", "add", "C1", "decision_to_assess_notified", "--date", "2025-02-10",
          "--field", "outcome=assess", "--user", "u" * 101],
         "user: 101 characters is longer than the 100 allowed"),
        (["case", "open", "C1\r\nBcc: all@example.com", "--process", "assessment",
          "--caseworker", "alice", "--la", LA], "case: character 3 ('\\r') is a control"),
        (["case", "open", "R" * 101, "--process", "assessment", "--caseworker", "alice",
          "--la", LA], "case: 101 characters is longer than the 100 allowed"),
        (["staff", "caseworker", "zed", "--name", "Zed\r\nBcc: all@example.com", "--team",
          "North"], "name: character 4 ('\\r') is a control character"),
        (["staff", "caseworker", "z" * 101, "--name", "Zed", "--team", "North"],
         "username: 101 characters is longer than the 100 allowed"),
    ],
    ids=["future", "birth-in-future", "year-9999", "uk-date-in-a-field", "recorded_by",
         "deep-json-field", "advice-id", "applies_to", "negative-seq", "long-user",
         "crlf-reference", "long-reference", "crlf-name", "long-username"],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, capsys, argv, message):
    before = exported(capsys)
    code, out, err = ehc(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err
    assert err.startswith("ehc: error: ") or "error: argument" in err
    assert "Traceback" not in err
    assert "[SQL:" not in err
    assert exported(capsys) == before


def test_an_import_that_cannot_be_read_exits_2_and_a_bad_row_exits_1(case, capsys, tmp_path):
    before = exported(capsys)
    huge = tmp_path / "huge.csv"
    huge.write_text("case,type,date,note\nC2,request_received,2025-01-06," + "x" * 140_000
                    + "\n", encoding="utf-8")
    code, _, err = ehc(capsys, "import", str(huge))
    assert code == 2
    assert "huge.csv: line 2: a cell longer than 131,072 characters" in err
    future = tmp_path / "future.csv"
    future.write_text("case,la,process,caseworker,type,date\n"
                      f"C2,{LA},assessment,alice,request_received,{FUTURE}\n"
                      + "C" * 101 + f",{LA},assessment,alice,request_received,2025-01-06\n",
                      encoding="utf-8")
    code, _, err = ehc(capsys, "import", str(future))
    assert code == 1
    assert f"line 2: case C2: request_received: date: {FUTURE} is after today" in err
    assert "line 3: case 'CCCC" in err
    assert "[SQL:" not in err
    assert exported(capsys) == before
