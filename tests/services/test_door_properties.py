"""The door under generated bad input (issue 13): ``record_events`` and ``import_file``
driven with events and files that are each wrong in one generated way, on SQLite and
PostgreSQL. Every one is refused with a ``ServiceError`` (never a traceback, never a raw
driver error), the refusal names what is wrong, and nothing is written.

600 events and 400 files per backend (2,000 examples in all); the counts are printed
(``pytest -s``) and checked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from db.schema import AuditEntry, Case, CaseEventRow
from db.session import unit_of_work
from engine.events import EXCEPTION_SCOPES
from services import cases, door, store
from services.errors import ImportRefused, InvalidInput, ServiceError

# A failing example may be huge (a 20,000-level nesting): hypothesis warns as it shows it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
STAFFS = "E10000028"
TODAY = dt.date(2026, 7, 20)
EVENTS_PER_BACKEND = int(os.environ.get("EHC_DOOR_EVENTS", 600))
FILES_PER_BACKEND = int(os.environ.get("EHC_DOOR_FILES", 400))
BASES = [
    {"type": "decision_to_assess_notified", "date": "2026-02-02", "outcome": "assess"},
    {"type": "advice_requested", "date": "2026-02-03", "advisor": "educational_psychologist",
     "advice_id": "ep-1"},
    {"type": "child_date_of_birth", "date": "2015-03-01"},
    {"type": "exception_recorded", "date": "2026-02-04", "ground": "covid_2020",
     "applies_to": ["final_plan"]},
]
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _with(text: str, bad: str, at: int) -> str:
    at = min(at, len(text))
    return text[:at] + bad + text[at:]


# Each strategy: (the field that is wrong, a function making the event wrong there).
future = st.integers(1, 20_000).map(lambda n: min(TODAY + dt.timedelta(days=n),
                                                  dt.date(2099, 12, 31)).isoformat())
uk = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(
    lambda d: st.sampled_from([f"{d.day:02d}/{d.month:02d}/{d.year}",
                               f"{d.day}/{d.month}/{d.year}", f"{d.day}.{d.month}.{d.year}"]))
MUTATIONS = st.one_of(
    future.map(lambda v: ("date", {"date": v})),
    uk.flatmap(lambda s: s).map(lambda v: ("date", {"date": v})),
    st.integers(-10**12, 10**12).map(lambda v: ("date", {"date": v})),
    st.floats(allow_nan=False).map(lambda v: ("date", {"date": v})),
    st.dates(dt.date(2100, 1, 1), dt.date(9999, 12, 31)).map(
        lambda d: ("date", {"date": d.isoformat()})),
    st.dates(dt.date(1, 1, 1), dt.date(1999, 12, 31)).map(
        lambda d: ("date", {"date": d.isoformat()})),
    TEXT.filter(lambda t: not t[:4].isdigit()).map(lambda v: ("date", {"date": v})),
    st.tuples(st.sampled_from(door.RECORDER_FIELDS), TEXT).map(lambda kv: (kv[0], {kv[0]: kv[1]})),
    st.tuples(TEXT, st.sampled_from(["\x00", "\ud800", "\udfff"]), st.integers(0, 12)).map(
        lambda t: ("note", {"note": _with(t[0], t[1], t[2])})),
    st.tuples(TEXT, st.sampled_from(["\x00", "\ud801"]), st.integers(0, 12)).map(
        lambda t: ("field name", {_with(t[0], t[1], t[2]): 1})),
    st.integers(21, 400).map(lambda n: ("deep", {"deep": _nested(n)})),
    st.integers(door.ADVICE_ID_MAX + 1, 5_000).map(
        lambda n: ("advice_id", {"type": "advice_requested", "date": "2026-02-03",
                                 "advisor": "educational_psychologist", "advice_id": "a" * n})),
    st.integers(10_001, 20_000).map(lambda n: ("note", {"note": "n" * n})),
    TEXT.filter(lambda t: t not in EXCEPTION_SCOPES).map(
        lambda t: ("applies_to", {"type": "exception_recorded", "date": "2026-02-04",
                                  "ground": "covid_2020", "applies_to": ["advice", t]})),
    TEXT.map(lambda t: ("type", {"type": "x" + t})),
    st.sampled_from([None, "", "yes", "Assess"]).map(
        lambda v: ("outcome", {"type": "decision_to_assess_notified", "date": "2026-02-02",
                               "outcome": v})),
    st.sampled_from(["2014-08-31", "2001-01-01"]).map(
        lambda d: ("date", {"type": "request_received", "date": d})),
)


@st.composite
def bad_events(draw: st.DrawFn) -> tuple[str, Any]:
    if draw(st.integers(0, 30)) == 0:  # not an event at all
        return "event", draw(st.one_of(st.lists(st.integers(), max_size=3), st.integers(),
                                       TEXT, st.none()))
    field, change = draw(MUTATIONS)
    event = {**draw(st.sampled_from(BASES)), **change}
    # A date of birth long ago is a fact, not bad input (an imported young person's): only
    # a future one is refused, so an old date is no bad-input example for that event.
    old = isinstance(event.get("date"), str) and event["date"][:4].isdigit() \
        and event["date"] < "2000"
    assume(not (event.get("type") == "child_date_of_birth" and old))
    return field, event


def state(engine) -> tuple[int, int, int]:
    with unit_of_work(engine) as session:
        return tuple(session.scalar(select(func.count()).select_from(table))  # type: ignore
                     for table in (CaseEventRow, AuditEntry, Case))


def names_it(error: ServiceError, field: str) -> bool:
    if isinstance(error, ImportRefused):
        return any(field in problem for problem in error.problems)
    return error.field is not None or field in str(error)


@pytest.fixture
def opened(staffed):
    cases.open_case(staffed, "C1", process="assessment", caseworker="alice", la_code=STAFFS,
                    actor="alice")
    cases.record_events(staffed, "C1", [{"type": "request_received", "date": "2026-01-05"}],
                        recorded_by="alice", as_of=TODAY)
    return staffed


def _settings(examples: int) -> Any:
    # Derandomised: CI tries the same examples every run, so a failure is reproducible.
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


def test_generated_bad_events_are_each_refused_by_name_and_nothing_is_written(opened):
    before = state(opened)
    seen: Counter[str] = Counter()

    @_settings(EVENTS_PER_BACKEND)
    @given(bad=bad_events())
    def refused(bad: tuple[str, Any]) -> None:
        field, event = bad
        seen["tried"] += 1
        try:
            with pytest.raises(ServiceError) as caught:
                cases.record_events(opened, "C1", [event], recorded_by="alice", as_of=TODAY)
        except Exception:  # anything but a ServiceError is a traceback at an entry point
            seen["tracebacks"] += 1
            raise
        seen[type(caught.value).__name__] += 1
        assert names_it(caught.value, field), (field, str(caught.value))
        assert caught.value.index in (0, None)
        assert state(opened) == before

    refused()
    print(f"\nrecord_events: {dict(seen)}")
    assert seen["tried"] >= EVENTS_PER_BACKEND
    assert seen["tracebacks"] == 0
    assert seen["InvalidInput"] == seen["tried"]  # all at the door, none on the merits


@st.composite
def bad_files(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(the field that is wrong, the file's name, its bytes)."""
    header = {"reference": "N1", "local_authority": STAFFS, "process": "assessment",
              "caseworker": "alice"}
    request = {"type": "request_received", "date": "2026-01-05"}
    kind = draw(st.sampled_from(["csv", "json", "jsonl"]))
    choice = draw(st.integers(0, 9))
    events: list[Any] = [request]
    if choice == 0:  # a case reference, caseworker or authority that cannot be kept
        field = draw(st.sampled_from(["reference", "caseworker", "local_authority"]))
        limit = {"reference": door.REFERENCE_MAX, "caseworker": door.USERNAME_MAX,
                 "local_authority": door.LA_CODE_MAX}[field]
        header[field] = draw(st.one_of(
            st.integers(limit + 1, limit + 300).map(lambda n: "r" * n),
            st.tuples(TEXT, st.sampled_from(["\r", "\n", "\r\n", "\x00", "\x1b", "\u2028"]))
            .map(lambda t: "R" + t[0] + t[1] + "9")))
        field = {"reference": "case", "local_authority": "la"}.get(field, field)
    elif choice == 1 and kind != "csv":  # JSON nested past any parser's patience
        n = draw(st.integers(5_000, 60_000))
        return "file", f"deep.{kind}", (
            '{"reference": "N1", "events": [' + "[" * n + "]" * n + "]}").encode()
    elif choice == 1:  # a cell bigger than the csv module reads
        return "file", "huge.csv", (
            "case,type,date,note\nN1,request_received,2026-01-05,"
            + "x" * draw(st.integers(131_073, 140_000)) + "\n").encode()
    else:  # a bad event (a file's recorder fields are kept apart, not refused)
        field, event = draw(bad_events().filter(lambda b: b[0] not in door.RECORDER_FIELDS))
        events.append(event)
    if kind == "csv":
        if not all(isinstance(e, dict) for e in events):
            return "type", "bad.csv", (b"case,la,process,caseworker,type\n"  # no type
                                       b"N1,E10000028,assessment,alice,\n")
        return field, "load.csv", _csv(header, events)
    documents = {**header, "events": events}
    text = json.dumps(documents) if kind == "json" else json.dumps(documents) + "\n"
    return field, f"load.{kind}", text.encode("utf-8")


def _csv(header: dict[str, str], events: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    columns = ["case", "la", "process", "caseworker", *dict.fromkeys(
        k for e in events for k in e)]
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for event in events:
        cells = {k: v if isinstance(v, str) else json.dumps(v) for k, v in event.items()}
        writer.writerow({"case": header["reference"], "la": header["local_authority"],
                         "process": header["process"], "caseworker": header["caseworker"],
                         **cells})
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def test_generated_bad_files_are_each_refused_by_name_and_nothing_is_written(
    staffed, tmp_path_factory
):
    before = state(staffed)
    seen: Counter[str] = Counter()
    folder = tmp_path_factory.mktemp("bad-files")

    @_settings(FILES_PER_BACKEND)
    @given(bad=bad_files())
    def refused(bad: tuple[str, str, bytes]) -> None:
        field, name, data = bad
        seen["tried"] += 1
        path = folder / name
        path.write_bytes(data)
        try:
            with pytest.raises((InvalidInput, ImportRefused)) as caught:
                store.import_file(staffed, path, actor="importer", as_of=TODAY)
        except Exception:  # anything but a ServiceError is a traceback at an entry point
            seen["tracebacks"] += 1
            raise
        seen[type(caught.value).__name__] += 1
        assert names_it(caught.value, field), (field, str(caught.value),
                                               getattr(caught.value, "problems", ()))
        assert state(staffed) == before, (name, data[:500])

    refused()
    print(f"\nimport_file: {dict(seen)}")
    assert seen["tried"] >= FILES_PER_BACKEND
    assert seen["tracebacks"] == 0
