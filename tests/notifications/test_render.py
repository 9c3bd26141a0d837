"""Rendering notices to email: what the message says, and what it never says by default."""

from __future__ import annotations

import datetime as dt

from notify_fixtures import limit, settings_for

from calendars import load_calendar
from engine.escalation import CaseDeadline, Role, decide_escalations
from notifications.notice import DigestItem, DigestNotice, EscalationNotice
from notifications.render import message_id, render_digest, render_escalation

CHILD = {"child_name": "Alice Example", "needs": "autism; speech and language"}


def notice(as_of="2026-06-22", role=Role.TEAM_MANAGER, personal=CHILD, **kw):
    deadline = limit("final_plan_due", "2026-06-19", **kw)
    [esc] = decide_escalations([CaseDeadline("EHC/2026/0042", deadline)],
                               dt.date.fromisoformat(as_of), load_calendar(None))
    return EscalationNotice.from_escalation(esc, role, "Mo Manager", personal)


def body(message):
    return "\n".join(part.get_content() for part in message.walk() if not part.is_multipart())


def test_escalation_email_carries_reference_rule_due_date_days_late_and_link():
    msg = render_escalation(notice(), to="m@council.example", outbox_key="k1",
                            settings=settings_for(None))
    assert msg["Subject"] == (
        "EHC/2026/0042: MISSED final plan (due Fri 19 Jun 2026, 3 days late)"
    )
    text = body(msg)
    assert "R06 (statutory)" in text
    assert "Days late" in text
    assert "3" in text
    assert "https://ehc.council.example/cases/EHC%2F2026%2F0042#final_plan_due" in text
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_children_names_and_needs_are_left_out_by_default():
    msg = render_escalation(notice(), to="m@council.example", outbox_key="k1",
                            settings=settings_for(None))
    text = body(msg) + str(msg["Subject"])
    assert "Alice" not in text
    assert "autism" not in text


def test_children_names_appear_only_when_the_setting_allows_them():
    msg = render_escalation(notice(), to="m@council.example", outbox_key="k1",
                            settings=settings_for(None, include_personal_data=True))
    assert "Child: Alice Example" in body(msg)
    assert "Alice" not in str(msg["Subject"])


def test_message_id_is_derived_from_the_outbox_key():
    settings = settings_for(None)
    first = render_escalation(notice(), to="a@x", outbox_key="escalation/1", settings=settings)
    again = render_escalation(notice(), to="a@x", outbox_key="escalation/1", settings=settings)
    other = render_escalation(notice(), to="a@x", outbox_key="escalation/2", settings=settings)
    expected = message_id("escalation/1", "council.example")
    assert first["Message-ID"] == again["Message-ID"] == expected
    assert other["Message-ID"] != first["Message-ID"]
    assert first["Message-ID"].endswith("@council.example>")


def test_html_part_escapes_what_it_is_given():
    evil = notice(rule="R06<script>")
    msg = render_escalation(evil, to="a@x", outbox_key="k", settings=settings_for(None))
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "R06&lt;script&gt;" in html


def test_reminder_and_disapplied_wording():
    reminder = notice(as_of="2026-06-05", role=Role.CASEWORKER)
    msg = render_escalation(reminder, to="a@x", outbox_key="k", settings=settings_for(None))
    assert msg["Subject"].endswith("final plan due Fri 19 Jun 2026 (in 10 working days)")
    lifted = EscalationNotice.from_payload(
        {**notice().to_payload(), "track": "disapplied", "due": None, "days_late": None}
    )
    text = body(render_escalation(lifted, to="a@x", outbox_key="k", settings=settings_for(None)))
    assert "as soon as practicable" in text
    assert "nominal date was Fri 19 Jun 2026" in text


def test_a_notice_survives_its_round_trip_through_the_outbox_payload():
    original = notice()
    assert EscalationNotice.from_payload(original.to_payload()) == original


def test_digest_lists_items_with_overdue_first_and_counts():
    items = (
        DigestItem("EHC-1", "final_plan_due", "R06", True, dt.date(2026, 6, 1), "breached", 21,
                   "Cat Worker"),
        DigestItem("EHC-2", "advice_due", "R02", True, dt.date(2026, 6, 25), "due_soon", None,
                   "Cat Worker"),
    )
    digest = DigestNotice(dt.date(2026, 6, 22), "caseworker", "Cat Worker", 10, 1, 1, items)
    assert DigestNotice.from_payload(digest.to_payload()) == digest
    msg = render_digest(digest, to="cw1@x", outbox_key="digest/2026-06-22/caseworker/cw1",
                        settings=settings_for(None))
    assert msg["Subject"] == "Daily digest 2026-06-22: 1 overdue, 1 due soon"
    text = body(msg)
    assert text.index("EHC-1") < text.index("EHC-2")
    assert "OVERDUE 21 days" in text
    assert "due soon" in text
