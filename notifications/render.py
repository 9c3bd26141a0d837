"""Notices to email messages (text and HTML), with a Message-ID derived from the outbox key.

Pure: the same notice, key and settings always give the same message, so a retry is the
same email with the same Message-ID and a duplicate is recognisable. Messages are built
only from a notice's fields (case reference, rule, dates, role); the child's name and
needs appear only when ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` is on *and* the notice has them.

A message is rendered straight to its bytes (a ``Draft``: the envelope, the header block,
the MIME body), once: building an ``EmailMessage`` and flattening it cost several times
what the relay takes to accept it, mostly in the email package parsing and refolding each
header it was given. A header of printable ASCII is written as it is (an unstructured one
folded at its spaces); any other goes through the email package's policy, which encodes
it (RFC 2047) as before. Each attempt adds only its own ``Date`` (and the resend flag).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from functools import cache, lru_cache
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
RESENT = "possible duplicate: an earlier attempt was interrupted"
# Headers whose value is free text, which may be folded at any space (RFC 5322 3.2.5).
UNSTRUCTURED = frozenset({"Subject", "Auto-Submitted", "X-EHC-Outbox-Key", "X-EHC-Resent"})
LINE = 78  # what a header line should stay within (RFC 5322 2.1.1) ...
LONGEST_LINE = 998  # ... and what it must


@dataclass(frozen=True)
class Outgoing:
    """One attempt on the wire: the envelope, and the message as bytes (CRLF lines)."""

    mail_from: str
    to: tuple[str, ...]
    data: bytes
    international: bool = False  # an address is not ASCII: the relay must offer SMTPUTF8


@dataclass(frozen=True)
class Draft:
    """A message rendered but for the headers of one attempt (``attempt``)."""

    mail_from: str  # the envelope's addresses
    to: tuple[str, ...]
    subject: str
    head: bytes  # the header lines, CRLF-terminated, without Date
    body: bytes  # what follows the blank line
    international: bool = False

    def attempt(self, *, sent_at: dt.datetime, in_doubt: bool) -> Outgoing:
        """The bytes of one attempt: its Date, and a resend flag after an interrupted one."""
        stamp = _header("Date", format_datetime(sent_at), utf8=False)
        if in_doubt:
            stamp += _header("X-EHC-Resent", RESENT, utf8=False)
        return Outgoing(self.mail_from, self.to, self.head + stamp + b"\r\n" + self.body,
                        self.international)

    def message(self) -> EmailMessage:
        """The message as a reader parses it (no attempt's headers): for previews and tests."""
        return message_from_bytes(self.head + b"\r\n" + self.body, policy=policy.default)

    @classmethod
    def of(cls, message: EmailMessage) -> Draft:
        """A message built with the email package (one with attachments), flattened once."""
        mail_from, to, international = _envelope(str(message["From"]), str(message["To"]))
        flat = message.as_bytes(policy=policy.SMTPUTF8 if international else policy.SMTP)
        head, _, body = flat.partition(b"\r\n\r\n")
        return cls(mail_from, to, str(message["Subject"]), head + b"\r\n", body, international)


def message_id(outbox_key: str, domain: str) -> str:
    """``<sha256(outbox key)[:40]@domain>``: stable for a key, distinct between keys."""
    digest = hashlib.sha256(outbox_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def render_escalation(
    notice: EscalationNotice, *, to: str, outbox_key: str, settings: NotifySettings,
    msgid: str | None = None,
) -> Draft:
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
    text = _template("escalation.txt").format(
        **values,
        extra_lines="".join(f"{k + ':':<10} {v}\n" for k, v in extra),
        personal_text="".join(f"{k}: {v}\n" for k, v in personal),
    )
    page = _template("escalation.html").format(
        **_escaped(values),
        extra_rows="\n".join(
            f'<tr><th align="left">{_html(k)}</th><td>{_html(v)}</td></tr>'
            for k, v in extra
        ),
        personal_html="".join(
            f"<p>{_html(k)}: {_html(v)}</p>" for k, v in personal
        ),
    )
    # No "[tag]" prefix: Python folds a long header starting with "[" onto a new line,
    # which readers then show with a leading space. The From name says who sent it.
    subject = f"{notice.case_ref}: {_subject(notice, label)}"
    return _message(subject, to, outbox_key, settings, text, page, msgid)


def render_digest(
    notice: DigestNotice, *, to: str, outbox_key: str, settings: NotifySettings,
    msgid: str | None = None,
) -> Draft:
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
    text = _template("digest.txt").format(
        **values, rows="".join(_template("digest_row.txt").format_map(r) for r in rows)
    )
    page = _template("digest.html").format(
        **_escaped(values),
        rows="".join(_template("digest_row.html").format_map(_escaped(r)) for r in rows),
    )
    subject = (f"Daily digest {notice.as_of.isoformat()}: {notice.overdue} overdue, "
               f"{notice.due_soon} due soon")
    return _message(subject, to, outbox_key, settings, text, page, msgid)


def render_family_update(
    payload: dict[str, str], *, to: str, outbox_key: str, settings: NotifySettings,
    msgid: str | None = None,
) -> Draft:
    """The family's email when a stage is done: content-free (no case, no child, no date),
    pointing to the link they already have, which says the rest."""
    authority = payload.get("la_name", "The council")
    text = (f"There is news about your child's EHC {payload.get('process', 'case')}.\n\n"
            "Open the link your caseworker sent you to see what has happened and what "
            "comes next. This email says no more, to keep your information private.\n\n"
            f"{authority}\n")
    page = "".join(f"<p>{_html(line)}</p>" for line in text.strip().split("\n\n"))
    return _message(f"News about your child's EHC {payload.get('process', 'case')}", to,
                    outbox_key, settings, text, page, msgid)


def _message(
    subject: str, to: str, key: str, settings: NotifySettings, text: str, page: str,
    msgid: str | None,
) -> Draft:
    """multipart/alternative: the text, then the HTML."""
    mail_from, recipients, utf8 = _envelope(settings.mail_from, to)
    head = b"".join(_header(name, value, utf8=utf8) for name, value in (
        ("From", settings.mail_from), ("To", to), ("Subject", subject),
        ("Message-ID", msgid or message_id(key, settings.mail_domain)),
        ("Auto-Submitted", "auto-generated"), ("X-EHC-Outbox-Key", key),
    ))
    parts = (_text_part("plain", text), _text_part("html", page))
    # Derived from the parts: the same on every retry, and in none of them (a part would
    # have to contain a hash of itself).
    boundary = b"=_" + hashlib.sha256(b"".join(parts)).hexdigest()[:40].encode()
    head += b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="%s"\r\n' % (
        boundary)
    body = b"".join(b"--%s\r\n%s\r\n" % (boundary, part) for part in parts)
    return Draft(mail_from, recipients, subject, head, body + b"--%s--\r\n" % boundary, utf8)


@lru_cache(maxsize=4096)  # few people get many emails: parsing their address is not free
def _envelope(mail_from: str, to: str) -> tuple[str, tuple[str, ...], bool]:
    """The envelope's sender and recipients as ``smtplib.send_message`` finds them in the
    headers, and whether any is not ASCII."""
    sender = parseaddr(mail_from)[1]
    recipients = tuple(address for _, address in getaddresses([to]))
    return sender, recipients, not (sender + "".join(recipients)).isascii()


def _header(name: str, value: str, *, utf8: bool) -> bytes:
    """One header line (folded), CRLF-terminated."""
    if value.isascii() and value.isprintable() and "=?" not in value:  # "=?": an encoded word
        if len(name) + 2 + len(value) <= LINE:
            return f"{name}: {value}\r\n".encode()
        if name in UNSTRUCTURED:
            folded = _fold(name, value)
            if max(map(len, folded.split("\r\n"))) <= LONGEST_LINE:
                return folded.encode()
    how = policy.SMTPUTF8 if utf8 else policy.SMTP
    # header_store_parse refuses a value with a line break in it (ValueError), as setting
    # it on a message would.
    return str(how.fold(name, how.header_store_parse(name, value)[1])).encode()


def _fold(name: str, value: str) -> str:
    """``name: value`` broken before spaces into lines within LINE where it can be (a word
    longer than a line stays whole): unfolding gives back exactly the value."""
    lines, line = [], f"{name}:"
    for word in value.split(" "):
        if word and len(line) + 1 + len(word) > LINE and len(line) > len(name) + 1:
            lines.append(line)
            line = ""
        line += " " + word
    return "\r\n".join([*lines, line]) + "\r\n"


def _text_part(subtype: str, content: str) -> bytes:
    """A text/* part, utf-8: 7bit when it is ASCII in short lines, else quoted-printable
    (so the relay need not take 8-bit data)."""
    lines = content.encode().splitlines()
    data = b"\r\n".join(lines) + b"\r\n"
    if content.isascii() and all(len(line) <= LINE for line in lines):
        encoding = b"7bit"
    else:
        encoding, data = b"quoted-printable", binascii.b2a_qp(data, istext=True)
    return (b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: %s\r\n\r\n'
            b"%s" % (subtype.encode(), encoding, data))


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


# What html.escape replaces, in one pass of str.translate (which runs in C).
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _html(text: str) -> str:
    return text.translate(_HTML)


def _escaped(values: dict[str, str]) -> dict[str, str]:
    return {k: _html(v) for k, v in values.items()}


@cache
def _template(name: str) -> str:
    """A template (``$name`` placeholders, as ``string.Template``) as a format string:
    filling it in is then one call into C, not a regular expression calling back into
    Python for each placeholder."""
    source = files("notifications").joinpath("templates", name).read_text("utf-8")
    parts, at = [], 0
    for found in Template.pattern.finditer(source):
        if found["invalid"] is not None:
            raise ValueError(f"template {name}: a '$' naming nothing at {found.start()}")
        parts.append(source[at:found.start()].replace("{", "{{").replace("}", "}}"))
        field = found["named"] or found["braced"]
        parts.append("{" + field + "}" if field else "$")  # "$$" is a "$"
        at = found.end()
    return "".join(parts) + source[at:].replace("{", "{{").replace("}", "}}")
