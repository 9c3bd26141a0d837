"""The weekly timeliness summary email: the figures and the charts, to team managers and
the head of service, through the outbox like every other email.

What it may carry is the allow-list ``WeeklyNotice``: measure labels, counts, rates,
targets and PNG charts drawn from them. No case reference, no child: nothing in it comes
from a person record or a case's events other than as a count. An outbox row is keyed
(authority, week, recipient), so a re-run that week records nothing new.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any

from db.outbox import Email
from notifications.render import Draft, message_id
from notifications.settings import NotifySettings

KIND = "weekly_timeliness"


@dataclass(frozen=True)
class Figure:
    label: str
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    rag: str | None


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: str  # base64 of a PNG

    def content(self) -> bytes:
        return base64.b64decode(self.data)


@dataclass(frozen=True)
class WeeklyNotice:
    la_code: str
    la_name: str
    as_of: dt.date
    period_from: dt.date
    period_to: dt.date
    figures: tuple[Figure, ...]
    attachments: tuple[Attachment, ...]
    recipient_role: str
    recipient_name: str = ""

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("as_of", "period_from", "period_to"):
            data[name] = getattr(self, name).isoformat()
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> WeeklyNotice:
        return cls(
            la_code=data["la_code"], la_name=data["la_name"],
            as_of=dt.date.fromisoformat(data["as_of"]),
            period_from=dt.date.fromisoformat(data["period_from"]),
            period_to=dt.date.fromisoformat(data["period_to"]),
            figures=tuple(Figure(**f) for f in data["figures"]),
            attachments=tuple(Attachment(**a) for a in data["attachments"]),
            recipient_role=data["recipient_role"], recipient_name=data["recipient_name"],
        )


def attachment(filename: str, png: bytes) -> Attachment:
    return Attachment(filename, base64.b64encode(png).decode("ascii"))


def weekly_emails(
    la_id: int,
    notice: WeeklyNotice,
    recipients: Sequence[tuple[str, str, str | None]],
    settings: NotifySettings,
) -> list[Email]:
    """One email per (role, name, address) recipient, keyed by authority, week and address."""
    emails = []
    for role, name, address in recipients:
        key = f"weekly:{notice.la_code}:{notice.as_of.isoformat()}:{role}:{address or name}"
        mine = WeeklyNotice(**{**notice.__dict__, "recipient_role": role, "recipient_name": name})
        emails.append(Email(key=key, kind=KIND, la_id=la_id, recipient_role=role,
                            recipient_email=address, payload=mine.payload(),
                            message_id=message_id(key, settings.mail_domain)))
    return emails


def render_weekly(
    notice: WeeklyNotice, *, to: str, outbox_key: str, settings: NotifySettings,
    msgid: str | None = None,
) -> Draft:
    """Plain text with the figures, the charts attached as PNG."""
    lines = [
        f"Hello {notice.recipient_name}," if notice.recipient_name else "Hello,",
        "",
        f"Timeliness for {notice.la_name} ({notice.la_code}), {notice.period_from} to "
        f"{notice.period_to}; open cases as on {notice.as_of}.",
        "",
    ]
    for f in notice.figures:
        value = "-" if f.value is None else f"{f.value:.1f}"
        target = "" if f.target is None else f"  target {f.target:g} ({f.rag})"
        lines.append(f"  {f.label}: {value}  ({f.numerator} of {f.denominator}){target}")
    lines += ["", "Charts attached. The full tables: ehc report timeliness --format xlsx.",
              f"{settings.base_url}/reports"]
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = f"Weekly timeliness {notice.la_code} {notice.as_of.isoformat()}"
    msg["Message-ID"] = msgid or message_id(outbox_key, settings.mail_domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-EHC-Outbox-Key"] = outbox_key
    msg.set_content("\n".join(lines) + "\n")
    for item in notice.attachments:
        msg.add_attachment(item.content(), maintype="image", subtype="png",
                           filename=item.filename)
    return Draft.of(msg)
