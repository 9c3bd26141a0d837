"""What the API takes and gives, as pydantic models: they are its OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.timeliness import Figure
from services.cases import CaseView, JudgedDeadline, Recorded
from services.timeliness import LABELS
from services.worklist import Worklist


class Problem(BaseModel):
    """An RFC 9457 problem detail (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    index: int | None = Field(None, description="the offending event of a batch (0-based)")


class ClientEvent(BaseModel):
    """One event in the case-history format (docs/case-format.md): ``type``, its date
    field(s) and the type's own fields. ``id`` is the client's event id: sending the same id
    with the same content again records nothing and answers as before."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=60)


class EventBatch(BaseModel):
    events: list[ClientEvent] = Field(min_length=1, max_length=500)
    expected_seq: int | None = Field(
        None, description="refuse (409) unless the case still has this many events")


class RecordedEventOut(BaseModel):
    seq: int
    type: str
    date: dt.date
    new: bool = Field(description="false: sent before with this id, nothing written now")


class RecordedOut(BaseModel):
    reference: str
    seq: int
    events: list[RecordedEventOut]

    @classmethod
    def of(cls, recorded: Recorded) -> RecordedOut:
        return cls(reference=recorded.reference, seq=recorded.seq, events=[
            RecordedEventOut(seq=e.seq, type=e.type, date=e.date, new=e.new)
            for e in recorded.events])


class DeadlineOut(BaseModel):
    key: str
    instance: str
    rule: str
    kind: Literal["limit", "window", "date"]
    statutory: bool
    actor: str
    nominal: dt.date
    due: dt.date | None
    met_on: dt.date | None
    status: str
    days_late: int | None
    explanation: str

    @classmethod
    def of(cls, judged: JudgedDeadline) -> DeadlineOut:
        d = judged.deadline
        return cls(key=d.key, instance=d.instance, rule=d.rule, kind=d.kind,
                   statutory=d.statutory, actor=d.actor, nominal=d.nominal, due=d.due,
                   met_on=d.met_on, status=judged.status.value, days_late=judged.days_late,
                   explanation=d.explanation)


class CaseOut(BaseModel):
    reference: str
    process: str
    la_code: str
    caseworker: str
    team: str
    stage: str
    stage_text: str
    seq: int
    as_of: dt.date
    deadlines: list[DeadlineOut]
    allowed_events: list[str]

    @classmethod
    def of(cls, view: CaseView) -> CaseOut:
        return cls(reference=view.reference, process=view.process, la_code=view.la_code,
                   caseworker=view.caseworker, team=view.team, stage=view.stage,
                   stage_text=view.stage_text, seq=view.seq, as_of=view.as_of,
                   deadlines=[DeadlineOut.of(d) for d in view.deadlines],
                   allowed_events=list(view.allowed_events))


class DueItem(BaseModel):
    reference: str
    caseworker: str
    team: str
    deadline: DeadlineOut


class DueOut(BaseModel):
    as_of: dt.date
    due_by: dt.date
    overdue: int
    items: list[DueItem]

    @classmethod
    def of(cls, worklist: Worklist) -> DueOut:
        return cls(as_of=worklist.as_of, due_by=worklist.due_by, overdue=worklist.overdue,
                   items=[DueItem(reference=i.reference, caseworker=i.caseworker, team=i.team,
                                  deadline=DeadlineOut.of(JudgedDeadline(i.deadline, i.status,
                                                                          i.days_late)))
                          for i in worklist.items])


class FigureOut(BaseModel):
    measure: str
    label: str
    completed: int
    on_time: int
    with_exception: int
    on_time_with_exception: int
    still_open_overdue: int
    rate_excluding_exceptions: float | None
    rate_including_exceptions: float | None


class TimelinessOut(BaseModel):
    start: dt.date
    end: dt.date
    as_of: dt.date
    figures: list[FigureOut]


def figure_out(measure: str, figure: Figure) -> FigureOut:
    return FigureOut(
        measure=measure, label=LABELS.get(measure, measure), completed=figure.completed,
        on_time=figure.on_time, with_exception=figure.with_exception,
        on_time_with_exception=figure.on_time_with_exception,
        still_open_overdue=figure.still_open_overdue,
        rate_excluding_exceptions=figure.rate_excluding_exceptions,
        rate_including_exceptions=figure.rate_including_exceptions)
