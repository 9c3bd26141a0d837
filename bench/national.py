"""(5) The sweep on PostgreSQL: N open cases over A authorities (the national figure is
1,000,000 over 153), first night, same night again, next night, each next to its floor,
with wall time and the peak memory of the largest sweeping process.

    .venv/bin/python -m bench.national --cases 1000000 --authorities 153 [--runs 1]
    .venv/bin/python -m bench.national --cases 20000 --authorities 1

How the database is built (not measured here; import is its own figure): one authority's
N/A cases are loaded through the store's bulk import (every event recorded, every
deadline projected by the engine), then copied for each other authority by
``INSERT ... SELECT`` (its own staff, references and case ids, the same histories and
calendar data). The built database is kept as a template (``ehc_bench_tpl_national_*``, used again
while its schema is at the head revision; ``--rebuild`` ignores it) and every run sweeps
a fresh copy.

The nights, as a national service runs them: every authority swept by a pool of
``--workers`` processes (the Prefect fan-out's work, without Prefect's server). The first
night is the *baseline* of an onboarded caseload (decided and recorded, emails
suppressed); the same night again finds nothing; the next night is a steady night, and
its emails are then delivered into a local SMTP server (aiosmtpd's ``Sink``, its own
process) over ``--connections`` connections. The floor, timed just before each night on
the same database, is the bare indexed query for the deadlines due or breached that
night and not yet escalated (the rows fetched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, text

from bench.delivery import AS_OF, sink_process
from bench.figures import Figure
from bench.harness import postgres_create, postgres_drop, postgres_exists, postgres_url
from calendars import load_calendar
from db.demo_load import load_in_batches, load_organisation
from db.migrate import current_revision, head_revision, upgrade_to_head
from db.session import make_engine, unit_of_work
from demo import DEMO_LA_CODE, generate_open_cases
from notifications.deliver import deliver_pending
from notifications.settings import NotifySettings
from notifications.transport import SmtpTransport
from services.sweep import authorities, sweep_authority

CALENDAR = Path(__file__).resolve().parent.parent / "calendars" / "data" / f"{DEMO_LA_CODE}.yaml"
REACH = 10  # working days: the default ladder's earliest reminder (the horizon of the floor)

FLOOR = text("""
SELECT d.case_id, d.key, d.instance, d.due FROM deadlines d
WHERE d.kind = 'limit' AND d.met_on IS NULL AND d.trigger_date <= :day AND d.due <= :horizon
  AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.case_id = d.case_id
                  AND e.deadline_key = d.key AND e.instance = d.instance)
""")

# One authority's copy of the template authority (``:tpl``) as authority number ``:k``.
CLONE = [
    """INSERT INTO local_authorities (code, name, head_of_service_name,
           head_of_service_email, calendar_data, calendar_version, calendar_hash)
       SELECT :code, name || ' ' || :k, head_of_service_name,
              'head' || :k || '@council.example', :calendar, 'bench', 'bench'
       FROM local_authorities WHERE id = :tpl""",
    """INSERT INTO teams (la_id, name, manager_name, manager_email)
       SELECT (SELECT id FROM local_authorities WHERE code = :code), name, manager_name,
              replace(manager_email, '@', '+' || :k || '@')
       FROM teams WHERE la_id = :tpl""",
    """INSERT INTO caseworkers (username, name, email, team_id, left_at)
       SELECT w.username || '-' || :k, w.name, replace(w.email, '@', '+' || :k || '@'),
              t2.id, w.left_at
       FROM caseworkers w JOIN teams t ON t.id = w.team_id AND t.la_id = :tpl
       JOIN teams t2 ON t2.name = t.name
            AND t2.la_id = (SELECT id FROM local_authorities WHERE code = :code)""",
    """INSERT INTO cases (reference, la_id, caseworker_id, process, opened_at, stage)
       SELECT c.reference || '-' || :k,
              (SELECT id FROM local_authorities WHERE code = :code), w2.id, c.process,
              c.opened_at, c.stage
       FROM cases c JOIN caseworkers w ON w.id = c.caseworker_id
       JOIN caseworkers w2 ON w2.username = w.username || '-' || :k
       WHERE c.la_id = :tpl""",
    """INSERT INTO case_events (case_id, seq, type, event_date, payload, schema_version,
           client_event_id, natural_key, recorded_at, recorded_by, chain_hash)
       SELECT c2.id, e.seq, e.type, e.event_date, e.payload, e.schema_version,
              e.client_event_id, e.natural_key, e.recorded_at, e.recorded_by, e.chain_hash
       FROM case_events e JOIN cases c ON c.id = e.case_id AND c.la_id = :tpl
       JOIN cases c2 ON c2.reference = c.reference || '-' || :k""",
    """INSERT INTO deadlines (case_id, key, instance, rule, kind, statutory, actor, nominal,
           due, met_on, met_by, exception, exceptions_available, premature_on, trigger,
           trigger_date, citation, explanation, plain_explanation, warnings,
           exception_recorded_on, escalates, projected_at)
       SELECT c2.id, d.key, d.instance, d.rule, d.kind, d.statutory, d.actor, d.nominal,
              d.due, d.met_on, d.met_by, d.exception, d.exceptions_available,
              d.premature_on, d.trigger, d.trigger_date, d.citation, d.explanation,
              d.plain_explanation, d.warnings, d.exception_recorded_on, d.escalates,
              d.projected_at
       FROM deadlines d JOIN cases c ON c.id = d.case_id AND c.la_id = :tpl
       JOIN cases c2 ON c2.reference = c.reference || '-' || :k""",
]


@dataclass(frozen=True)
class Night:
    label: str
    day: dt.date
    baseline: bool = False


NIGHTS = (Night("first night (baseline)", AS_OF, baseline=True),
          Night("same night again", AS_OF),
          Night("next night", AS_OF + dt.timedelta(days=1)))


def template_name(cases: int, authorities: int) -> str:
    return f"ehc_bench_tpl_national_{cases}_{authorities}"


def build(cases: int, count: int, *, rebuild: bool = False) -> tuple[str, str]:
    """The template database (built unless kept from before); returns (name, note)."""
    name = template_name(cases, count)
    if postgres_exists(name) and not rebuild:
        kept = make_engine(postgres_url(name))
        at_head = current_revision(kept) == head_revision()
        kept.dispose()
        if at_head:
            return name, "kept from an earlier run"
    engine = make_engine(postgres_create(name))
    started = time.perf_counter()
    upgrade_to_head(engine)
    caseload = generate_open_cases(cases // count, 7, AS_OF)
    events = 0
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, caseload.organisation)
        for report in load_in_batches(session, DEMO_LA_CODE, caseload.cases):
            events += report.events_added
    loaded = time.perf_counter() - started
    calendar = CALENDAR.read_text()
    with engine.begin() as connection:
        template = connection.execute(text("SELECT id FROM local_authorities WHERE code = :c"),
                                      {"c": DEMO_LA_CODE}).scalar_one()
    for k in range(2, count + 1):
        with engine.begin() as connection:
            for statement in CLONE:
                connection.execute(text(statement), {"tpl": template, "k": str(k),
                                                     "code": f"BENCH{k:03d}",
                                                     "calendar": calendar})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return name, (f"built in {time.perf_counter() - started:.0f} s: {cases // count:,} cases "
                  f"({events:,} events) loaded in {loaded:.0f} s, copied to {count - 1} more "
                  "authorities")


_ENGINES: dict[str, Engine] = {}  # one per worker process, opened on its first authority


def _sweep_one(url: str, code: str, night: Night) -> tuple[int, int, float]:
    """In a worker process: one authority's night; (decided, emails, peak RSS MiB)."""
    engine = _ENGINES.get(url) or _ENGINES.setdefault(url, make_engine(url))
    result = sweep_authority(engine, code, night.day, NotifySettings(),
                             baseline=night.baseline)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result.decided, result.emails_recorded, peak


def sweep_night(url: str, codes: list[str], night: Night, workers: int) -> tuple[float, int,
                                                                                   int, float]:
    """Every authority's night over a fresh pool; (wall s, decided, emails, peak MiB)."""
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        done = list(pool.map(_sweep_one, [url] * len(codes), codes, [night] * len(codes)))
    wall = time.perf_counter() - started
    return (wall, sum(d for d, _, _ in done), sum(e for _, e, _ in done),
            max(p for _, _, p in done))


def floor_query(engine: Engine, day: dt.date) -> tuple[float, int]:
    horizon = load_calendar(DEMO_LA_CODE).add_working_days(day, REACH)
    with engine.connect() as connection:
        started = time.perf_counter()
        rows = connection.execute(FLOOR, {"day": day, "horizon": horizon}).all()
        return time.perf_counter() - started, len(rows)


def measure(cases: int, count: int, runs: int, *, workers: int = 2, connections: int = 4,
            rebuild: bool = False) -> tuple[list[Figure], str]:
    template, note = build(cases, count, rebuild=rebuild)
    size = f"{cases:,} cases, {count} authorit{'ies' if count > 1 else 'y'}"
    walls: dict[str, list[float]] = {n.label: [] for n in NIGHTS}
    floors: dict[str, list[float]] = {n.label: [] for n in NIGHTS}
    peaks: list[float] = []
    sent_rates: list[float] = []
    emails = decided = 0
    for run in range(runs):
        name = f"ehc_bench_national_run{run}"
        url = postgres_create(name, template=template)
        engine = make_engine(url)
        codes = authorities(engine)
        for night in NIGHTS:
            floor_s, _ = floor_query(engine, night.day)
            floors[night.label].append(floor_s)
            wall, decided, emails, peak = sweep_night(url, codes, night, workers)
            walls[night.label].append(wall)
            peaks.append(peak)
        with sink_process() as port:
            settings = replace(NotifySettings(smtp_port=port), smtp_connections=connections)
            started = time.perf_counter()
            report = deliver_pending(engine, SmtpTransport.from_settings(settings), settings)
            delivery = time.perf_counter() - started
        sent_rates.append(report.sent / delivery if report.sent else 0.0)
        walls.setdefault("next night, decide+record+deliver", []).append(
            walls["next night"][-1] + delivery)
        engine.dispose()
        postgres_drop(name)
    figures = []
    for night in NIGHTS:
        floor = Figure(f"sweep floor, PostgreSQL, {size}: {night.label}", "s",
                       floors[night.label])
        target = "<= 3x the floor" if night.label == "next night" and count > 1 else ""
        figures += [floor, Figure(f"sweep, decide+record, PostgreSQL, {size}: {night.label}",
                                  "s", walls[night.label], floor=floor, target=target)]
    figures.append(Figure(
        f"sweep, PostgreSQL, {size}: next night with delivery ({emails:,} emails)", "s",
        walls["next night, decide+record+deliver"], target="< 60 s" if count > 1 else ""))
    figures.append(Figure(f"delivery, PostgreSQL, {size}: next night, {connections} "
                          "connections", "msg/s", sent_rates, higher_is_better=True))
    figures.append(Figure(f"sweep, PostgreSQL, {size}: peak RSS of the largest sweeping "
                          "process, any night", "MiB", [max(peaks)],
                          target="< 1 GB; the same at 20,000 and 1,000,000"))
    return figures, f"{size}: database {note}; next night decided {decided:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--authorities", type=int, default=153)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    figures, note = measure(args.cases, args.authorities, args.runs, workers=args.workers,
                            connections=args.connections, rebuild=args.rebuild)
    print(note)
    for figure in figures:
        print(figure.row())


if __name__ == "__main__":
    main()
