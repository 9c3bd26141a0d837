"""A council's person-level SEN2 XML return -> the opening caseload.

The element names are the ones ``ehc report sen2`` writes (``reports/sen2_2026.xsd``):
``Message > Header > Source > LEA`` and ``Message > Persons > Person > Requests >
(Assessment > NamedPlan) and ActivePlans``. Each ``Person`` becomes one case: its
requests (``ReceivedDate``, ``RequestSource``), the decisions whether to assess
(``RequestOutcome``/``Date``), the assessments' outcomes (``AssessmentOutcome``/``Date``:
a plan's ``StartDate`` is its final plan, a "Y" without a named plan a draft, "N" a
decision not to issue), a plan's ``CeaseDate``, and each active plan's reviews
(``ReviewMeeting``, ``ReviewOutcome``, ``LastReview``).

What the return cannot say is reported as missing, never invented: advice dates, who
the caseworker is (every case goes to the one given), when mediation or an appeal
happened, which exception applied to the 20 weeks, when a plan moved in. Names, birth
dates and UPNs are not copied into the case: the reference is a stable pseudonym (a
hash of the authority and the child's UPN, ULN, or names and birth date). A return is
history by nature, so every event carries ``"imported": true``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from intake.issues import Issue, PlannedCase, PlannedEvent
from intake.rows import HISTORY_FLAG, checked

SOURCES: Mapping[str, str] = {"1": "parent", "2": "school", "3": "health",
                              "4": "social_care", "5": "other"}  # RequestSource -> requester
REVIEW_OUTCOMES: Mapping[str, str] = {"1": "maintain", "2": "amend", "3": "cease"}
TRANSFERRED_OUT = "5"  # CeaseReason: transferred to another LA
ONS_CODE = re.compile(r"[EWSN]\d{8}")
_IDENTITY = (("UPN",), ("UniqueLearnerNumber",), ("Surname", "Forename", "PersonBirthDate"))


class Sen2Error(ValueError):
    """Not a SEN2 return this reader can use: ``str()`` says why and where."""


@dataclass(frozen=True)
class Sen2Return:
    lea: str  # as the return gives it: an ONS code or a three-digit number
    cases: tuple[PlannedCase, ...]
    issues: tuple[Issue, ...]  # about the whole return

    @property
    def lea_code(self) -> str | None:
        return self.lea if ONS_CODE.fullmatch(self.lea) else None


def read_sen2(data: bytes, *, as_of: dt.date, caseworker: str, prefix: str) -> Sen2Return:
    """Every ``Person`` of the return as a planned case going to ``caseworker``.

    Raises:
        Sen2Error: not XML, or not a SEN2 ``Message``.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Sen2Error(f"not well-formed XML ({exc.msg}, line {exc.lineno})") from None
    if root.tag != "Message" or root.find("Persons") is None:
        raise Sen2Error(f"not a SEN2 return: expected <Message> with <Persons>, found "
                        f"<{root.tag}>")
    lea = _text(root.find("Header/Source/LEA"))
    if not lea:
        raise Sen2Error("the return's Header/Source/LEA is missing: whose return is it?")
    cases = [
        _Person(element, number, as_of, f"{prefix}{_pseudonym(lea, number, element)}",
                caseworker).plan()
        for number, element in enumerate(root.iterfind("Persons/Person"), start=1)
    ]
    note = Issue(None, None, "not_in_return", f"the return names no caseworkers: every new "
                 f"case goes to {caseworker!r}; reassign with `ehc case reassign`")
    return Sen2Return(lea, tuple(cases), (note,))


def _text(element: etree._Element | None) -> str:
    return "" if element is None or element.text is None else element.text.strip()


def _pseudonym(lea: str, number: int, person: etree._Element) -> str:
    for names in _IDENTITY:
        values = [_text(person.find(name)) for name in names]
        if all(values):
            key = "|".join([lea, *names, *values])
            break
    else:  # no identity at all: its place and its requests (stable for this return only)
        key = "|".join([lea, str(number), etree.tostring(person, method="c14n").decode()])
    return hashlib.sha256(key.encode()).hexdigest()[:10].upper()


@dataclass
class _Person:
    element: etree._Element
    number: int
    as_of: dt.date
    reference: str
    caseworker: str
    events: list[PlannedEvent] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def plan(self) -> PlannedCase:
        if not any(_text(self.element.find(n[0])) for n in _IDENTITY):
            self._issue(self.element, "not_in_return", "no UPN, ULN or name: the reference is "
                        "made from this return's dates, so a later return will not match it")
        for request in self.element.iterfind("Requests"):
            self._request(request)
        has_plan = any(e.data["type"] in ("final_plan_issued", "plan_last_reviewed",
                                          "review_meeting_held") for e in self.events)
        process = "review" if has_plan or self.element.find("Requests/ActivePlans") is not None \
            else "assessment"
        events, issues = checked(self.events, self.number)
        return PlannedCase(self.number, self.reference, process, self.caseworker, None, events,
                           tuple(self.issues + issues))

    # helpers

    def _where(self, element: etree._Element) -> str:
        return f"{element.tag} (line {element.sourceline})"

    def _issue(self, element: etree._Element | None, kind: str, message: str) -> None:
        where = self._where(self.element if element is None else element)
        self.issues.append(Issue(self.number, where, kind, message))

    def _date(self, parent: etree._Element, name: str) -> tuple[dt.date, etree._Element] | None:
        element = parent.find(name)
        if element is None or not _text(element):
            return None
        try:
            day = dt.date.fromisoformat(_text(element))
        except ValueError:
            self._issue(element, "bad_date", f"{_text(element)!r} is not a date (YYYY-MM-DD)")
            return None
        if day > self.as_of:
            self._issue(element, "in_the_future", f"{day:%d/%m/%Y} is after today "
                        f"({self.as_of:%d/%m/%Y})")
            return None
        return day, element

    def _add(self, at: tuple[dt.date, etree._Element], kind: str, **fields: Any) -> None:
        day, element = at
        data = {"type": kind, "date": day.isoformat(), **fields, HISTORY_FLAG: True}
        self.events.append(PlannedEvent(data, self._where(element)))

    def _flag(self, parent: etree._Element, name: str) -> bool:
        return _text(parent.find(name)) == "1"

    # modules

    def _request(self, request: etree._Element) -> None:
        received = self._date(request, "ReceivedDate")
        if received is not None:
            extra: dict[str, Any] = {}
            source = SOURCES.get(_text(request.find("RequestSource")))
            if source:
                extra["requester"] = source
            if self._flag(request, "RYA"):
                extra["youth_accommodation"] = True
            self._add(received, "request_received", **extra)
        self._decision(request)
        for name in ("RequestMediation", "RequestTribunal"):
            if self._flag(request, name):
                self._issue(request.find(name), "not_in_return", f"{name}: mediation or an "
                            "appeal followed the decision; the return does not say when")
        if _text(request.find("Exported")):
            self._issue(request.find("Exported"), "not_in_return", "the plan moved to "
                        f"{_text(request.find('Exported'))}; the return does not say when")
        assessment = request.find("Assessment")
        if assessment is not None:
            self._assessment(assessment)
        elif _text(request.find("RequestOutcome")) == "A":
            self._issue(request, "not_in_return", "an assessment under way: advice dates "
                        "are not in the return (record them with `ehc event add`)")
        active = request.find("ActivePlans")
        if active is not None:
            self._reviews(active, has_start=request.find("Assessment/NamedPlan") is not None)

    def _decision(self, request: etree._Element) -> None:
        outcome = _text(request.find("RequestOutcome"))
        decided = self._date(request, "RequestOutcomeDate")
        if outcome in ("A", "B") and decided is not None:
            self._add(decided, "decision_to_assess_notified",
                      outcome="assess" if outcome == "A" else "refuse")
        elif outcome in ("A", "B"):
            self._issue(request.find("RequestOutcome"), "missing_date", "the decision whether "
                        "to assess has no RequestOutcomeDate: left out")

    def _assessment(self, assessment: etree._Element) -> None:
        outcome = _text(assessment.find("AssessmentOutcome"))
        decided = self._date(assessment, "AssessmentOutcomeDate")
        plan = assessment.find("NamedPlan")
        if plan is not None:
            self._plan(plan)
        elif outcome == "Y" and decided is not None:
            self._add(decided, "draft_plan_served", method="email")
            self._issue(decided[1], "inferred_method", "a plan to be issued and no named plan "
                        "yet: taken as the draft, served by email (the return does not say how)")
        elif outcome == "N" and decided is not None:
            self._add(decided, "decision_not_to_issue_notified")
        elif outcome in ("Y", "N"):
            self._issue(assessment.find("AssessmentOutcome"), "missing_date",
                        "the assessment's outcome has no AssessmentOutcomeDate: left out")
        else:
            self._issue(assessment, "not_in_return", "an assessment under way: advice dates "
                        "are not in the return (record them with `ehc event add`)")
        if self._flag(assessment, "Week20"):
            self._issue(assessment.find("Week20"), "not_in_return", "an exception applied to "
                        "the 20 weeks; the return does not say which (record exception_recorded)")
        for name in ("AssessmentMediation", "AssessmentTribunal", "OtherMediation",
                     "OtherTribunal"):
            if self._flag(assessment, name):
                self._issue(assessment.find(name), "not_in_return", f"{name}: the return "
                            "does not say when")

    def _plan(self, plan: etree._Element) -> None:
        start = self._date(plan, "StartDate")
        if start is not None:
            self._add(start, "final_plan_issued")
        ceased = self._date(plan, "CeaseDate")
        if ceased is not None:
            moved = _text(plan.find("CeaseReason")) == TRANSFERRED_OUT
            self._add(ceased, "case_closed", reason="moved_away" if moved else "plan_ceased")

    def _reviews(self, active: etree._Element, *, has_start: bool) -> None:
        """``LastReview`` is the latest review decision (or review on file), ``ReviewOutcome``
        that decision's outcome, ``ReviewMeeting`` the latest meeting in the year: a
        meeting before the decision is its meeting; one after it awaits its decision."""
        meeting = self._date(active, "ReviewMeeting")
        last = self._date(active, "LastReview")
        outcome = REVIEW_OUTCOMES.get(_text(active.find("ReviewOutcome")))
        if meeting is not None and (last is None or meeting[0] <= last[0]):
            self._add(meeting, "review_meeting_held")
        pending = meeting is not None and last is not None and meeting[0] > last[0]
        if last is not None and outcome and pending:
            # The engine dates a decision after the earliest meeting on file: the decision's
            # own meeting is not in the return, so it stands as the last review.
            self._add(last, "plan_last_reviewed")
            self._issue(active.find("ReviewOutcome"), "not_in_return", "the outcome of the "
                        "review decided on LastReview: its meeting is not in the return, so "
                        "it is recorded as the last review (plan_last_reviewed)")
        elif last is not None and outcome:
            self._add(last, "review_decision_notified", outcome=outcome)
            if outcome == "amend":
                self._issue(last[1], "not_in_return", "the review decided to amend; the "
                            "return does not say whether the amended plan was issued "
                            "(record amended_plan_issued if it was)")
        elif last is not None:
            self._add(last, "plan_last_reviewed")
        elif outcome:
            self._issue(active.find("ReviewOutcome"), "missing_date", "a review outcome "
                        "without a LastReview date: left out")
        if pending:
            assert meeting is not None
            self._add(meeting, "review_meeting_held")
        if _text(active.find("TransferLA")):
            self._issue(active.find("TransferLA"), "not_in_return", "the plan came from "
                        f"{_text(active.find('TransferLA'))}; the return does not say when")
        if not has_start and last is None and meeting is None:
            self._issue(active, "not_in_return", "a plan in force with no start or review "
                        "date: its annual review cannot be counted until one is recorded")
