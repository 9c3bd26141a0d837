"""The caseworker's command line, run in-process (``main([...])``) against SQLite and a real
PostgreSQL: what it prints, what it refuses (message on stderr, exit code), and that a
refusal writes nothing."""

from __future__ import annotations

import io
import json
import socket

import pytest
from freezegun import freeze_time

from cli.main import main
from db.session import dispose_engines
from tests.cli_run import ehc

OPEN = ["case", "open", "C1", "--process", "assessment", "--caseworker", "alice",
        "--la", "E10000028"]
HISTORY = [
    ["event", "add", "C1", "request_received", "--date", "2025-01-06"],
    ["event", "add", "C1", "decision_to_assess_notified", "--date", "2025-02-10",
     "--field", "outcome=assess"],
    ["event", "add", "C1", "advice_requested", "--date", "2025-02-11",
     "--field", "advisor=educational_psychologist"],
]




@pytest.fixture
def case(staffed_env, capsys, monkeypatch):
    monkeypatch.setenv("EHC_USER", "alice")
    assert ehc(capsys, *OPEN)[0] == 0
    for argv in HISTORY:
        assert ehc(capsys, *argv)[0] == 0
    return staffed_env


def event_count(capsys):
    code, out, _ = ehc(capsys, "export", "--case", "C1")
    assert code == 0
    return len(json.loads(out)["cases"][0]["events"])


def test_init_creates_the_database_in_the_data_dir_from_any_directory(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("EHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("EHC_DATA_DIR", "store")
    monkeypatch.chdir(tmp_path)
    dispose_engines()
    code, out, _ = ehc(capsys, "init")
    assert code == 0
    assert "upgraded empty ->" in out
    assert (tmp_path / "store" / "ehc.sqlite3").is_file()
    assert "already up to date" in ehc(capsys, "init")[1]
    dispose_engines()


def test_recording_events_prints_each_with_its_number(staffed_env, capsys):
    assert ehc(capsys, *OPEN) == (
        0, "opened case C1 (assessment) for alice in E10000028\n", "")
    assert ehc(capsys, *HISTORY[0])[1] == (
        "recorded event #1 on case C1: request_received on 2025-01-06\n")


def test_case_show_gives_the_timeline_and_each_deadlines_status_as_of_a_day(case, capsys):
    code, out, _ = ehc(capsys, "case", "show", "C1", "--as-of", "2025-04-10")
    assert code == 0
    assert "Case C1 · assessment · E10000028" in out
    assert "as of 2025-04-10" in out
    lines = out.splitlines()
    advice = next(line for line in lines if "advice_due" in line)
    assert "2025-03-25" in advice
    assert "breached" in advice
    assert "16d" in advice
    decision = next(line for line in lines if "decision_to_assess_due" in line)
    assert "met_on_time" in decision
    assert "\x1b[" not in out  # piped: no colour codes


def test_case_show_is_coloured_on_a_terminal(case, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["case", "show", "C1", "--as-of", "2025-04-10"]) == 0
    assert "\x1b[1;31m" in terminal.getvalue()  # breached in bold red


def test_due_lists_overdue_first_with_days_late(case, capsys):
    assert ehc(capsys, *OPEN[:2], "C2", *OPEN[3:])[0] == 0
    assert ehc(capsys, "event", "add", "C2", "request_received", "--date", "2025-03-03")[0] == 0

    code, out, _ = ehc(capsys, "due", "--as-of", "2025-04-10", "--within", "1w")
    assert code == 0
    assert out.splitlines()[0] == (
        "2 deadlines overdue or due by 2025-04-17 as of 2025-04-10 for everyone (1 overdue)")
    rows = [line.split() for line in out.splitlines() if "C1" in line or "C2" in line]
    assert [row[:4] for row in rows] == [
        ["2025-03-25", "16d", "breached", "C1"],
        ["2025-04-14", "due_soon", "C2", "decision_to_assess_due"],
    ]
    code, out, _ = ehc(capsys, "due", "--as-of", "2025-04-10", "--overdue", "--team", "South")
    assert out.splitlines()[0].startswith("0 deadlines overdue as of 2025-04-10 for team South")


def test_due_defaults_to_today_in_london(case, capsys):
    with freeze_time("2025-06-01 23:30:00"):  # 00:30 on 2 June in London
        code, out, _ = ehc(capsys, "due", "--caseworker", "alice")
    assert code == 0
    assert "as of 2025-06-02 for caseworker alice" in out.splitlines()[0]


def test_same_event_id_sent_twice_is_recorded_once(case, capsys):
    argv = ["event", "add", "C1", "advice_received", "--date", "2025-03-20",
            "--field", "advisor=educational_psychologist", "--id", "ui-123"]
    assert ehc(capsys, *argv)[:2] == (
        0, "recorded event #4 on case C1: advice_received on 2025-03-20\n")
    assert ehc(capsys, *argv)[:2] == (
        0, "already recorded as event #4 on case C1 (same id): nothing new written\n")
    assert event_count(capsys) == 4


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["event", "add", "NOPE", "request_received", "--date", "2025-01-06"], 1,
         "ehc: error: unknown case 'NOPE'"),
        (["event", "add", "C1", "decision_to_assess_notified", "--date", "2025-02-12",
          "--field", "outcome=assess"], 1, "a decision cannot be recorded twice"),
        (["event", "add", "C1", "final_plan_issued", "--date", "2024-12-01"], 1,
         "dated before request_received"),
        (["event", "add", "C1", "advice_receivd", "--date", "2025-03-01"], 2,
         "unknown event type 'advice_receivd'; known types:"),
        (["event", "add", "C1", "decision_to_assess_notified", "--date", "2025-02-12"], 2,
         "outcome: Field required"),
        (["event", "add", "C1", "request_received", "--date", "2025-02-30"], 2,
         "malformed date '2025-02-30': day is out of range for month"),
        (["event", "add", "C1", "request_received", "--date", "6/1/2025"], 2,
         "malformed date '6/1/2025': expected YYYY-MM-DD"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-12", "--field",
          "advisor"], 2, "malformed field 'advisor': expected name=value"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-12", "--field",
          "advisor=social_care", "--expected-seq", "1"], 3, "case C1 changed"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-12", "--field",
          "advisor=health_icb"], 2, "advice from health (icb or nhs trust named) must name"),
        (["event", "add", "C1", "advice_requested", "--date", "2025-02-12", "--field",
          "advisor=plumber"], 2, "unknown adviser 'plumber': expected one of"),
        (["case", "open", "C1", "--process", "assessment", "--caseworker", "alice",
          "--la", "E10000028"], 1, "case 'C1' already exists"),
        (["case", "open", "C9", "--process", "assessment", "--caseworker", "zoe",
          "--la", "E10000028"], 1, "unknown caseworker 'zoe'"),
        (["case", "open", "C9", "--process", "assessment", "--caseworker", "dave",
          "--la", "E10000028"], 1, "caseworker 'dave' works for E06000001, not E10000028"),
        (["case", "open", "C9", "--process", "assessment", "--caseworker", "alice",
          "--la", "E99999999"], 1, "unknown local authority 'E99999999'"),
        (["case", "show", "NOPE"], 1, "unknown case 'NOPE'"),
        (["due", "--caseworker", "zoe"], 1, "unknown caseworker 'zoe'"),
        (["due", "--within", "soon"], 2, "malformed period 'soon'"),
    ],
)
def test_bad_input_gets_a_specific_message_an_exit_code_and_writes_nothing(
    case, capsys, argv, code, message
):
    got_code, _, err = ehc(capsys, *argv)
    assert got_code == code
    assert message in err
    assert event_count(capsys) == 3


def test_database_that_is_down_exits_4_with_the_reason(capsys, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EHC_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/x")
    dispose_engines()
    code, _, err = ehc(capsys, "due")
    dispose_engines()
    assert code == 4
    assert f"cannot reach the database postgresql+psycopg://postgres@127.0.0.1:{port}/x" in err


def test_database_not_initialised_says_to_run_init(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("EHC_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    dispose_engines()
    code, _, err = ehc(capsys, "case", "show", "C1")
    dispose_engines()
    assert (code, err.strip()) == (
        4, f"ehc: error: the database sqlite:///{tmp_path / 'new.sqlite3'} is not set up yet: "
        "run `ehc init` first")


def test_import_reports_every_bad_row_and_imports_nothing_then_the_good_file(
    staffed_env, capsys, tmp_path
):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "case,la,process,caseworker,type,date,outcome\n"
        "N1,E10000028,assessment,alice,request_received,2025-01-06,\n"
        "N1,,,,decision_to_assess_notified,2025-02-10,perhaps\n"
        "N2,E10000028,assessment,alice,request_received,2025-13-01,\n"
    )
    code, out, err = ehc(capsys, "import", str(bad))
    assert code == 1
    assert err.splitlines()[0].startswith("  line 3: case N1: decision_to_assess_notified: "
                                          "outcome:")
    assert err.splitlines()[1].startswith("  line 4: case N2: request_received: date:")
    assert err.splitlines()[2] == (
        "ehc: error: import refused, nothing was imported: 2 problems")
    assert "0 deadlines" in ehc(capsys, "due", "--as-of", "2025-06-01")[1]

    good = tmp_path / "good.csv"
    good.write_text(bad.read_text().replace("perhaps", "assess").replace("13-01", "03-01"))
    assert ehc(capsys, "import", str(good))[1] == (
        "imported 3 events into 2 cases (2 new); 0 events were already on file\n")
    assert ehc(capsys, "import", str(good))[1] == (
        "imported 0 events into 0 cases (0 new); 3 events were already on file\n")
    assert ehc(capsys, "import", str(tmp_path / "missing.csv"))[2].strip() == (
        f"ehc: error: no such file: {tmp_path / 'missing.csv'}")


def test_export_writes_a_file_that_imports_back_as_nothing_new(case, capsys, tmp_path):
    target = tmp_path / "all.json"
    code, _, err = ehc(capsys, "export", "--output", str(target))
    assert (code, err) == (0, f"exported 1 cases to {target}\n")
    document = json.loads(target.read_text())
    assert [e["type"] for e in document["cases"][0]["events"]] == [
        "request_received", "decision_to_assess_notified", "advice_requested"]
    assert ehc(capsys, "import", str(target))[1] == (
        "imported 0 events into 0 cases (0 new); 3 events were already on file\n")


def test_calendar_load_lists_the_moved_deadlines_and_refuses_bad_data(
    staffed_env, capsys, tmp_path
):
    ehc(capsys, "case", "open", "H1", "--process", "assessment", "--caseworker", "dave",
        "--la", "E06000001")
    ehc(capsys, "event", "add", "H1", "draft_plan_posted", "--date", "2025-06-02",
        "--field", "method=first_class_post")
    calendar = tmp_path / "E06000001.yaml"
    calendar.write_text(
        "la_code: E06000001\nla_name: Hartlepool Borough Council\nsources:\n"
        "  - id: t\n    url: https://example.org/t\n    retrieved: 2026-11-01\n"
        "bank_holidays:\n  add:\n    - date: 2025-06-03\n      name: Proclaimed\n"
    )
    code, out, _ = ehc(capsys, "calendar", "load", str(calendar))
    assert code == 0
    assert out.splitlines()[0] == ("E06000001: calendar version 1 loaded; 1 cases re-projected, "
                                   "2 deadlines changed in 1 cases (audited)")
    assert "  H1 draft_deemed_served [2025-06-02]: 2025-06-04 -> 2025-06-05" in out
    assert ehc(capsys, "calendar", "load", str(calendar))[1] == (
        "E06000001: calendar unchanged (version 1)\n")

    calendar.write_text(calendar.read_text().replace("2025-06-03", "2025-06-07"))
    code, _, err = ehc(capsys, "calendar", "load", str(calendar))
    assert code == 2  # a file that does not parse is bad input
    assert "E06000001.yaml: bank_holidays" in err
    assert "weekend" in err


def test_rebuild_projections_and_staff_list(case, capsys):
    assert ehc(capsys, "rebuild-projections")[:2] == (
        0, "re-projected 1 cases; deadlines changed in 0\n")
    code, out, _ = ehc(capsys, "staff", "list")
    assert code == 0
    assert "E10000028 Staffordshire County Council / North (manager Mo Manager) / alice Alice" \
        in out.splitlines()
    assert ehc(capsys, "staff", "caseworker", "alice", "--name", "A", "--team", "North")[2] == (
        "ehc: error: caseworker 'alice' already exists\n")
