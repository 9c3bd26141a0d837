"""Rendering notices to email: what the message says, and what it never says by default."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from notify_fixtures import limit, settings_for

from calendars import load_calendar
from engine.escalation import CaseDeadline, Role, decide_escalations
from notifications.notice import DigestItem, DigestNotice, EscalationNotice
from notifications.render import message_id, render_digest, render_family_update
from notifications.render import render_escalation as draft_escalation

CHILD = {"child_name": "Alice Example", "needs": "autism; speech and language"}


def notice(as_of="2026-06-22", role=Role.TEAM_MANAGER, personal=CHILD, **kw):
    deadline = limit("final_plan_due", "2026-06-19", **kw)
    [esc] = decide_escalations([CaseDeadline("EHC/2026/0042", deadline)],
                               dt.date.fromisoformat(as_of), load_calendar(None))
    return EscalationNotice.from_escalation(esc, role, "Mo Manager", personal)


def render_escalation(notice, **kwargs):
    """The message as its recipient's mail reader parses it."""
    return draft_escalation(notice, **kwargs).message()


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
                        settings=settings_for(None)).message()
    assert msg["Subject"] == "Daily digest 2026-06-22: 1 overdue, 1 due soon"
    text = body(msg)
    assert text.index("EHC-1") < text.index("EHC-2")
    assert "OVERDUE 21 days" in text
    assert "due soon" in text


# Rendered straight to bytes: what a reader parses back is what was rendered.

SENT_AT = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)


def family(process="assessment", la_name="Council", to="parent@family.example", **settings):
    return render_family_update({"process": process, "la_name": la_name}, to=to,
                                outbox_key="family/1", settings=settings_for(None, **settings))


def read(draft, *, in_doubt=False):
    """The attempt's envelope and bytes, and the message a reader parses from them."""
    wire = draft.attempt(sent_at=SENT_AT, in_doubt=in_doubt)
    return wire, message_from_bytes(wire.data, policy=policy.default)


def text_of(msg, subtype="plain"):
    return msg.get_body((subtype,)).get_content().replace("\r\n", "\n")  # CRLF on the wire


def test_the_same_notice_renders_to_the_same_bytes_and_each_attempt_adds_only_its_own():
    first = draft_escalation(notice(), to="a@x", outbox_key="k", settings=settings_for(None))
    again = draft_escalation(notice(), to="a@x", outbox_key="k", settings=settings_for(None))
    assert first == again
    wire, msg = read(first)
    assert msg["Date"] == "Mon, 22 Jun 2026 04:00:00 +0000"
    assert msg["X-EHC-Resent"] is None
    _, resent = read(first, in_doubt=True)
    assert resent["X-EHC-Resent"] == "possible duplicate: an earlier attempt was interrupted"
    assert (wire.mail_from, wire.to) == ("ehc@council.example", ("a@x",))
    assert all(part.defects == [] for part in msg.walk())


def test_long_headers_fold_within_78_and_read_back_whole():
    draft = family(process="assessment " + "and a very long process name " * 6)
    wire, msg = read(draft)
    head = wire.data.partition(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78 or b"X-EHC" in head
    assert msg["Subject"] == draft.subject
    assert draft.subject.endswith("name ")
    key = "escalation/EHC-2023-00154/annual_review_due/2025-10-30/breach_10/head_of_service"
    escalation = draft_escalation(notice(), to="a@x", outbox_key=key, settings=settings_for(None))
    assert read(escalation)[1]["X-EHC-Outbox-Key"] == key


def test_names_and_text_that_are_not_ascii_are_encoded_so_any_relay_takes_them():
    draft = family(process="évaluation", la_name="Cyngor Gwynedd — Zoë's team",
                   to="Zoë Ünal <zoe@family.example>",
                   mail_from="Cyngor Sîr <ehc@council.example>")
    wire, msg = read(draft)
    assert wire.data.isascii()  # RFC 2047 headers, quoted-printable text: no 8-bit data
    assert not wire.international
    assert wire.to == ("zoe@family.example",)
    assert msg["Subject"] == "News about your child's EHC évaluation"
    assert msg["To"].addresses[0].display_name == "Zoë Ünal"
    assert msg["From"].addresses[0].display_name == "Cyngor Sîr"
    assert "Cyngor Gwynedd — Zoë's team\n" in text_of(msg)
    assert "Zoë&#x27;s team" in text_of(msg, "html")


def test_an_address_that_is_not_ascii_asks_the_relay_for_smtputf8():
    wire, msg = read(family(to="zoë@family.example"))
    assert wire.international
    assert wire.to == ("zoë@family.example",)
    assert msg["To"] == "zoë@family.example"


def test_a_header_value_with_a_line_break_is_refused_not_sent():
    with pytest.raises(ValueError, match="linefeed"):
        family(to="a@x\r\nBcc: everyone@example.org")
    with pytest.raises(ValueError, match="linefeed"):
        family(process="assessment\nBcc: everyone@example.org")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(process=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120),
       la_name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_reads_back_as_it_was_rendered(process, la_name):
    assume(len(f"x{process}".splitlines()) == 1)  # a line break in a header is refused
    draft = family(process=process, la_name=la_name)
    wire, msg = read(draft)
    assert wire.data.isascii()
    assert msg["Subject"] == f"News about your child's EHC {process}"
    assert "\n".join(line.decode() for line in la_name.encode().splitlines()) in text_of(msg)
    assert all(part.defects == [] for part in msg.walk())
