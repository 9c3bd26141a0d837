"""The caseworker's pages: the caseload (``/cases``), one case (``/cases/<ref>``), recording
what happened, correcting the timeline (supersede, withdraw) and closing the case.

Every page asks ``services.cases`` with the user's own authority, so another authority's
case is "not found" whether it is reached by link, guessed reference or form post; the
role is checked with ``services.access.authorise``. Every change is the application
layer's, which audits it with who and when.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from engine.stages import STAGE_TEXT
from services import cases, errors
from services.access import Action, allows, authorise
from services.accounts import Account, Role
from services.cases import CaseView
from services.errors import Refused
from services.staff import list_staff
from web import event_forms
from web.auth import CurrentUser
from web.days import today
from web.forms import FormErrors
from web.templating import render
from web.urgency import urgency

router = APIRouter()

PAGE_SIZE = 50
CLOSE_REASONS = {"plan_ceased": "The plan ceased", "moved_away": "The child or young person "
                 "moved away (the plan was not transferred)",
                 "request_withdrawn": "The request was withdrawn"}
DONE = {"recorded": "The event was recorded", "closed": "The case was closed",
        "reassigned": "The case was reassigned", "corrected": "The correction was recorded"}
STAGES = sorted({stage.value: text for stage, text in STAGE_TEXT.items()}.items())


def navigation(request: Request, account: Account, current: str) -> list[dict[str, Any]]:
    """The service navigation of the signed-in pages, with ``current`` marked."""
    items = [("home", "Home", None), ("cases", "Cases", Action.VIEW_CASE),
             ("worklist", "Worklist", Action.VIEW_CASE), ("team", "Team", Action.VIEW_TEAM),
             ("service", "Service", Action.VIEW_SERVICE)]
    return [{"href": request.app.url_path_for(name), "text": text, "active": name == current,
             "current": name == current}
            for name, text, action in items if action is None or allows(account, action)]


def scope(account: Account) -> tuple[str | None, str | None]:
    """Whose cases a user's lists show, as (caseworker, team): a caseworker's own, a team
    manager's team, a head of service's whole authority."""
    if account.role is Role.CASEWORKER:
        return account.caseworker or "", None
    if account.role is Role.TEAM_MANAGER:
        return None, account.team
    return None, None


@router.get("/cases", name="cases")
def my_cases(
    request: Request, user: CurrentUser, stage: str = "", due_by: str = "", q: str = "",
    page: int = 1,
) -> Response:
    account = user.account
    authorise(account, Action.VIEW_CASE, la_code=account.la_code, not_found="not found")
    problems: dict[str, str] = {}
    by: dt.date | None = None
    if due_by:
        try:
            by = dt.date.fromisoformat(due_by)
        except ValueError:
            problems["due_by"] = "Due by must be a real date, for example 2026-12-31"
    if stage and stage not in dict(STAGES):
        problems["stage"] = "Select a stage from the list"
    page = max(page, 1)
    found = None
    caseworker, team = scope(account)
    if not problems:
        found = cases.find_cases(
            request.app.state.engine, as_of=today(request), la_code=account.la_code,
            stage=stage or None, search=q.strip() or None, due_by=by, limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE, caseworker=caseworker, team=team)
    pages = max(1, -(-found.total // PAGE_SIZE)) if found else 1
    query = {k: v for k, v in (("stage", stage), ("due_by", due_by), ("q", q)) if v}

    def link(number: int) -> str:
        return "/cases?" + urlencode({**query, "page": number})

    title = "My cases" if account.role is Role.CASEWORKER else (
        f"Team {account.team}'s cases" if account.role is Role.TEAM_MANAGER
        else "All cases")
    return render(
        request, "pages/cases.html", title=title, column="full", found=found,
        rows=[(summary, urgency(summary.next_deadline.status, summary.next_deadline.days_late)
               if summary.next_deadline else urgency(None)) for summary in found.cases]
        if found else [],
        stages=STAGES, stage=stage, due_by=due_by, q=q, page=page, pages=pages,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page < pages else None,
        errors=FormErrors(problems), status_code=400 if problems else 200,
        navigation=navigation(request, account, "cases"),
    )


def load_case(request: Request, account: Account, reference: str, action: Action) -> CaseView:
    """The case, provided it is the user's authority's and their role may ``action``."""
    view = cases.case_view(request.app.state.engine, reference, as_of=today(request),
                           la_code=account.la_code)
    authorise(account, action, la_code=view.la_code, not_found=f"unknown case {reference!r}")
    return view


def anchors(view: CaseView) -> list[str]:
    """Each deadline's element id: its key (what the emails link to, ``#<key>``); a key's
    second and later instances (another adviser's request) get ``<key>-2``, ``-3``..."""
    seen: dict[str, int] = {}
    ids = []
    for judged in view.deadlines:
        key = judged.deadline.key
        seen[key] = seen.get(key, 0) + 1
        ids.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return ids


@router.get("/cases/{reference}", name="case")
def case_page(request: Request, reference: str, user: CurrentUser, done: str = "") -> Response:
    view = load_case(request, user.account, reference, Action.VIEW_CASE)
    return _case(request, user.account, view, done=DONE.get(done))


def _case(
    request: Request, account: Account, view: CaseView, *, done: str | None = None,
    reassign: Mapping[str, str] | None = None, errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    deadlines = [(anchor, judged, urgency(judged.status, judged.days_late))
                 for anchor, judged in zip(anchors(view), view.deadlines, strict=True)]
    recordable = [(kind, event_forms.words(kind)) for kind in view.allowed_events
                  if kind in event_forms.MODELS and kind not in ("case_closed", "event_withdrawn")]
    may_reassign = allows(account, Action.REASSIGN_CASE)
    return render(
        request, "pages/case.html", title=f"Case {view.reference}", column="full",
        case=view, deadlines=deadlines, recordable=recordable, done=done,
        may_record=allows(account, Action.RECORD_EVENT),
        may_close="case_closed" in view.allowed_events and allows(account, Action.RECORD_EVENT),
        may_reassign=may_reassign,
        caseworkers=colleagues(request, account) if may_reassign else [],
        reassign=reassign or {}, errors=errors or FormErrors(), status_code=status_code,
        words=event_forms.words, navigation=navigation(request, account, "cases"),
    )


def colleagues(request: Request, account: Account) -> list[tuple[str, str]]:
    """The caseworkers of the user's authority still working: (username, name)."""
    return [(line.username, f"{line.name} ({line.team})")
            for line in list_staff(request.app.state.engine)
            if line.la_code == account.la_code and line.username and not line.left]


# --- recording an event -----------------------------------------------------------------------


def _correcting(view: CaseView, event_id: str) -> cases.TimelineEntry:
    entry = next((e for e in view.timeline if e.id == event_id and e.in_effect), None)
    if entry is None:
        raise errors.NotFound(f"no event {event_id!r} in effect on case {view.reference}")
    return entry


def _chosen_type(view: CaseView, kind: str, supersedes: str, withdraws: str) -> str:
    """The event type the form is for, provided it may be recorded now."""
    if withdraws:
        _correcting(view, withdraws)
        return "event_withdrawn"
    if supersedes:
        return _correcting(view, supersedes).type
    if kind not in view.allowed_events or kind not in event_forms.MODELS:
        raise errors.Refused(f"{event_forms.words(kind) or 'This event'} cannot be recorded "
                             f"on this case now ({view.stage_text})")
    return kind


@router.get("/cases/{reference}/record", name="record_form")
def record_form(
    request: Request, reference: str, user: CurrentUser, type: str = "",  # noqa: A002
    supersedes: str = "", withdraws: str = "",
) -> Response:
    view = load_case(request, user.account, reference, Action.RECORD_EVENT)
    kind = _chosen_type(view, type, supersedes, withdraws)
    typed: dict[str, Any] = {}
    if supersedes:
        entry = _correcting(view, supersedes)
        typed = event_forms.prefilled(kind, entry.details, entry.date)
    return _record(request, user.account, view, kind, typed=typed, supersedes=supersedes,
                   withdraws=withdraws, event_id=f"web-{uuid.uuid4()}", seq=view.seq)


@router.post("/cases/{reference}/record")
async def record(request: Request, reference: str, user: CurrentUser) -> Response:
    form = await request.form()
    return await run_in_threadpool(_record_posted, request, user.account, reference, form)


def _record_posted(request: Request, account: Account, reference: str, form: FormData) -> Response:
    view = load_case(request, account, reference, Action.RECORD_EVENT)
    supersedes = str(form.get("supersedes", ""))
    withdraws = str(form.get("withdraws", ""))
    event_id = str(form.get("event_id", "")) or f"web-{uuid.uuid4()}"
    if any(entry.id == event_id for entry in view.timeline):  # sent twice: done already
        done = "corrected" if supersedes or withdraws else "recorded"
        return RedirectResponse(f"/cases/{quote(reference, safe='')}?done={done}",
                                status_code=303)
    kind = _chosen_type(view, str(form.get("type", "")), supersedes, withdraws)
    fixed = {"withdraws": withdraws} if withdraws else {}
    multi = {key: [str(v) for v in form.getlist(key)] for key in form}
    submitted = event_forms.read(kind, form, multi, fixed=fixed)
    try:
        seq = int(str(form.get("seq", "")))
    except ValueError:
        raise errors.InvalidInput("the form is missing the case's version: reload it") from None
    again: dict[str, Any] = {"typed": submitted.typed, "supersedes": supersedes,
                             "withdraws": withdraws, "event_id": event_id}
    if submitted.problems:
        return _record(request, account, view, kind, seq=seq, status_code=400,
                       errors=FormErrors(submitted.problems), **again)
    event = {**submitted.event, "id": event_id, **fixed}
    if supersedes:
        event["supersedes"] = supersedes
    try:
        cases.record_events(request.app.state.engine, reference, [event],
                            recorded_by=account.username, expected_seq=seq,
                            la_code=account.la_code, as_of=today(request))
    except errors.Conflict:
        # Someone recorded meanwhile: keep what was typed, show what changed, and let them
        # submit again against the case as it is now.
        changed = [e for e in view.timeline if e.seq > seq]
        return _record(request, account, view, kind, seq=view.seq, status_code=409,
                       changed=changed, **again)
    except (errors.Refused, errors.InvalidInput) as exc:
        specs = event_forms.fields_for(kind, fixed=fixed)
        where = next((s.error_id for s in specs if s.name == exc.field), specs[0].error_id)
        return _record(request, account, view, kind, seq=seq, status_code=422,
                       errors=FormErrors({where: exc.message[:1].upper() + exc.message[1:]}),
                       **again)
    done = "corrected" if supersedes or withdraws else "recorded"
    return RedirectResponse(f"/cases/{quote(reference, safe='')}?done={done}", status_code=303)


def _record(
    request: Request, account: Account, view: CaseView, kind: str, *, typed: Mapping[str, Any],
    supersedes: str, withdraws: str, event_id: str, seq: int, status_code: int = 200,
    errors: FormErrors | None = None, changed: list[cases.TimelineEntry] | None = None,
) -> Response:
    fixed = {"withdraws": withdraws} if withdraws else {}
    heading = (f"Withdraw: {event_forms.words(_correcting(view, withdraws).type)}" if withdraws
               else f"Correct: {event_forms.words(kind)}" if supersedes
               else f"Record: {event_forms.words(kind)}")
    return render(
        request, "pages/record.html", title=f"{heading} – case {view.reference}", case=view,
        heading=heading, kind=kind, fields=event_forms.fields_for(kind, fixed=fixed),
        typed=typed, supersedes=supersedes, withdraws=withdraws, event_id=event_id, seq=seq,
        errors=errors or FormErrors(), changed=changed, status_code=status_code,
        words=event_forms.words, navigation=navigation(request, account, "cases"),
    )


# --- closing and reassigning ------------------------------------------------------------------


@router.get("/cases/{reference}/close", name="close_form")
def close_form(request: Request, reference: str, user: CurrentUser) -> Response:
    view = load_case(request, user.account, reference, Action.RECORD_EVENT)
    return _close(request, user.account, view, typed={})


@router.post("/cases/{reference}/close")
async def close(request: Request, reference: str, user: CurrentUser) -> Response:
    form = await request.form()
    return await run_in_threadpool(_close_posted, request, user.account, reference, form)


def _close_posted(request: Request, account: Account, reference: str, form: FormData) -> Response:
    view = load_case(request, account, reference, Action.RECORD_EVENT)
    submitted = event_forms.read("case_closed", form, {})
    if submitted.problems:
        return _close(request, account, view, typed=submitted.typed, status_code=400,
                      errors=FormErrors(submitted.problems))
    try:
        cases.close_case(request.app.state.engine, reference, str(submitted.event["reason"]),
                         on=dt.date.fromisoformat(str(submitted.event["date"])),
                         recorded_by=account.username, la_code=account.la_code,
                         as_of=today(request))
    except (errors.Refused, errors.InvalidInput) as exc:
        return _close(request, account, view, typed=submitted.typed, status_code=422,
                      errors=FormErrors({"date-day": exc.message[:1].upper() + exc.message[1:]}))
    return RedirectResponse(f"/cases/{quote(reference, safe='')}?done=closed", status_code=303)


def _close(
    request: Request, account: Account, view: CaseView, *, typed: Mapping[str, Any],
    status_code: int = 200, errors: FormErrors | None = None,
) -> Response:
    if "case_closed" not in view.allowed_events:
        raise Refused(f"case {view.reference} cannot be closed now ({view.stage_text})")
    return render(
        request, "pages/close.html", title=f"Close case {view.reference}", case=view,
        typed=typed, reasons=CLOSE_REASONS, status_code=status_code,
        close_date=[f for f in event_forms.fields_for("case_closed") if f.kind == "date"],
        errors=errors or FormErrors(), navigation=navigation(request, account, "cases"),
    )


@router.post("/cases/{reference}/reassign", name="reassign")
async def reassign(request: Request, reference: str, user: CurrentUser) -> Response:
    form = await request.form()
    return await run_in_threadpool(_reassign, request, user.account, reference,
                                   str(form.get("caseworker", "")))


def _reassign(request: Request, account: Account, reference: str, caseworker: str) -> Response:
    view = load_case(request, account, reference, Action.REASSIGN_CASE)
    if caseworker not in dict(colleagues(request, account)):
        message = "Select a caseworker" if not caseworker else "Select a caseworker from the list"
        return _case(request, account, view, reassign={"caseworker": caseworker},
                     errors=FormErrors({"caseworker": message}), status_code=400)
    cases.reassign_case(request.app.state.engine, reference, caseworker,
                        actor=account.username, la_code=account.la_code)
    return RedirectResponse(f"/cases/{quote(reference, safe='')}?done=reassigned",
                            status_code=303)
