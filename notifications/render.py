"""Notices to email messages (text and HTML), with a Message-ID derived from the outbox key.

Pure: the same notice, key and settings always give the same message, so a retry is the
same email with the same Message-ID and a duplicate is recognisable. Messages are built
only from a notice's fields (case reference, rule, dates, role); the child's name and
needs appear only when ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` is on *and* the notice has them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from importlib.resources import files
from string import Template
from urllib.parse import quote

from notifications.notice import DigestItem, DigestNotice, EscalationNotice
from notifications.settings import NotifySettings

PERSONAL_FIELDS = {"child_name": "Child", "needs": "Needs"}
ROLE_LABELS = {
    "caseworker": "caseworker",
    "team_manager": "team manager",
    "head_of_service": "head of service",
}


def message_id(outbox_key: str, domain: str) -> str:
    """``<sha256(outbox key)[:40]@domain>``: stable for a key, distinct between keys."""
    digest = hashlib.sha256(outbox_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def render_escalation(
    notice: EscalationNotice, *, to: str, outbox_key: str, settings: NotifySettings
) -> EmailMessage:
    label = _label(notice.deadline_key)
    personal = _personal(notice, settings)
    values = {
        "greeting": _greeting(notice.recipient_name),
        "headline": _headline(notice, label),
        "case_ref": notice.case_ref,
        "deadline_label": label,
        "deadline_key": notice.deadline_key,
        "instance_note": f", {notice.instance}" if notice.instance else "",
        "rule": notice.rule,
        "legal_status": "statutory" if notice.statutory else "advisory, not statutory",
        "due_text": _due_text(notice),
        "link": _case_link(settings, notice.case_ref, notice.deadline_key),
        "citation": notice.citation,
        "role_label": ROLE_LABELS.get(notice.recipient_role, notice.recipient_role),
        "level": notice.level,
    }
    extra = _extra_facts(notice)
    text = _template("escalation.txt").substitute(
        values,
        extra_lines="".join(f"{k + ':':<10} {v}\n" for k, v in extra),
        personal_text="".join(f"{k}: {v}\n" for k, v in personal),
    )
    page = _template("escalation.html").substitute(
        _escaped(values),
        extra_rows="\n".join(
            f'<tr><th align="left">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>'
            for k, v in extra
        ),
        personal_html="".join(
            f"<p>{html.escape(k)}: {html.escape(v)}</p>" for k, v in personal
        ),
    )
    # No "[tag]" prefix: Python folds a long header starting with "[" onto a new line,
    # which readers then show with a leading space. The From name says who sent it.
    subject = f"{notice.case_ref}: {_subject(notice, label)}"
    return _message(subject, to, outbox_key, settings, text, page)


def render_digest(
    notice: DigestNotice, *, to: str, outbox_key: str, settings: NotifySettings
) -> EmailMessage:
    total = notice.overdue + notice.due_soon
    summary = (
        f"{total} deadline(s) need attention as of {_day(notice.as_of)}: {notice.overdue} "
        f"overdue, {notice.due_soon} due within {notice.working_days} working days."
    )
    if total > len(notice.items):
        summary += f" The {len(notice.items)} most urgent are listed; the worklist has them all."
    values = {
        "greeting": _greeting(notice.recipient_name),
        "summary": summary,
        "link": f"{settings.base_url}/due",
        "as_of": notice.as_of.isoformat(),
        "role_label": ROLE_LABELS.get(notice.recipient_role, notice.recipient_role),
    }
    rows = [_digest_row(item, settings) for item in notice.items]
    text = _template("digest.txt").substitute(
        values, rows="".join(_template("digest_row.txt").substitute(r) for r in rows)
    )
    page = _template("digest.html").substitute(
        _escaped(values),
        rows="".join(_template("digest_row.html").substitute(_escaped(r)) for r in rows),
    )
    subject = (f"Daily digest {notice.as_of.isoformat()}: {notice.overdue} overdue, "
               f"{notice.due_soon} due soon")
    return _message(subject, to, outbox_key, settings, text, page)


def render_family_update(
    payload: dict[str, str], *, to: str, outbox_key: str, settings: NotifySettings
) -> EmailMessage:
    """The family's email when a stage is done: content-free (no case, no child, no date),
    pointing to the link they already have, which says the rest."""
    authority = payload.get("la_name", "The council")
    text = (f"There is news about your child's EHC {payload.get('process', 'case')}.\n\n"
            "Open the link your caseworker sent you to see what has happened and what "
            "comes next. This email says no more, to keep your information private.\n\n"
            f"{authority}\n")
    page = "".join(f"<p>{html.escape(line)}</p>" for line in text.strip().split("\n\n"))
    return _message(f"News about your child's EHC {payload.get('process', 'case')}", to,
                    outbox_key, settings, text, page)


def _message(
    subject: str, to: str, key: str, settings: NotifySettings, text: str, page: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id(key, settings.mail_domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-EHC-Outbox-Key"] = key
    msg.set_content(text)
    msg.add_alternative(page, subtype="html")
    return msg


def stamp(message: EmailMessage, *, sent_at: dt.datetime, in_doubt: bool) -> None:
    """Add the headers that belong to one attempt: its Date, and a resend flag."""
    del message["Date"]
    message["Date"] = format_datetime(sent_at)
    if in_doubt:
        message["X-EHC-Resent"] = "possible duplicate: an earlier attempt was interrupted"


def _headline(n: EscalationNotice, label: str) -> str:
    due = _day(n.due) if n.due else ""
    if n.track == "premature":
        return (f"{label}: a step was taken on {_day(n.premature_on)}, before the statutory "
                f"window ended on {_day(n.nominal)}.")
    if n.track == "disapplied":
        return (f"The time limit for {label} is disapplied by a recorded exception; it is still "
                f"due as soon as practicable (the nominal date was {_day(n.nominal)}).")
    kind = "statutory deadline" if n.statutory else "advisory date"
    if n.when == "before":
        return f"The {kind} for {label} is {due}, in {n.working_days} working days."
    if n.working_days:
        return (f"The {kind} for {label} ({due}) was missed {n.working_days} working days ago "
                f"and is still open: {_days(n.days_late)} late.")
    return f"The {kind} for {label} was {due} and has been missed: {_days(n.days_late)} late."


def _subject(n: EscalationNotice, label: str) -> str:
    due = _day(n.due) if n.due else ""
    if n.track == "premature":
        return f"{label}: acted before the window ended"
    if n.track == "disapplied":
        return f"{label}: as soon as practicable (limit disapplied)"
    advisory = "" if n.statutory else "advisory: "
    if n.when == "before":
        return f"{advisory}{label} due {due} (in {n.working_days} working days)"
    if n.working_days:
        return f"{advisory}still missed after {n.working_days} working days: {label} (due {due})"
    return f"{advisory}MISSED {label} (due {due}, {_days(n.days_late)} late)"


def _due_text(n: EscalationNotice) -> str:
    if n.due is None:
        return f"as soon as practicable (limit disapplied; nominal date {_day(n.nominal)})"
    return _day(n.due)


def _extra_facts(n: EscalationNotice) -> list[tuple[str, str]]:
    facts = []
    if n.days_late:
        facts.append(("Days late", str(n.days_late)))
    if n.premature_on:
        facts.append(("Acted on", _day(n.premature_on)))
    return facts


def _personal(n: EscalationNotice, settings: NotifySettings) -> list[tuple[str, str]]:
    if not settings.include_personal_data:
        return []
    return [(label, n.personal[k]) for k, label in PERSONAL_FIELDS.items() if n.personal.get(k)]


def _digest_row(item: DigestItem, settings: NotifySettings) -> dict[str, str]:
    late = item.days_late or 0
    return {
        "case_ref": item.case_ref,
        "deadline_label": _label(item.deadline_key),
        "rule": item.rule,
        "advisory": "" if item.statutory else ", advisory",
        "due": _day(item.due),
        "status_text": f"OVERDUE {_days(late)}" if item.status == "breached" else "due soon",
        "days_late": str(late) if late else "",
        "caseworker": item.caseworker,
        "link": _case_link(settings, item.case_ref, item.deadline_key),
    }


def _case_link(settings: NotifySettings, case_ref: str, deadline_key: str) -> str:
    return f"{settings.base_url}/cases/{quote(case_ref, safe='')}#{quote(deadline_key)}"


def _label(deadline_key: str) -> str:
    """``final_plan_due`` -> "final plan" (the sentence says "due" itself)."""
    return deadline_key.removesuffix("_due").replace("_", " ")


def _days(n: int | None) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _greeting(name: str) -> str:
    return f"Hello {name}," if name else "Hello,"


def _day(day: dt.date | None) -> str:
    return day.strftime("%a %d %b %Y") if day else ""


def _escaped(values: dict[str, str]) -> dict[str, str]:
    return {k: html.escape(v) for k, v in values.items()}


@cache
def _template(name: str) -> Template:
    return Template(files("notifications").joinpath("templates", name).read_text("utf-8"))
