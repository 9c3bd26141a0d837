"""``ehc family-link``, ``ehc feed`` and ``ehc api-token``: the secrets that open a case
to its family, a calendar to its app, and the API to another system.

Each secret is printed once, when made, and kept only as a hash: lose it and make another
(and revoke the old one). ``--base-url`` is where the web application is served
(``ehc serve``), for printing whole links.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import actor, add_user_option, guarded, positive, runtime, store

BASE_URL = "http://127.0.0.1:8000"


def register(subparsers: Any) -> None:
    family = subparsers.add_parser("family-link", help="links a family opens to see their case")
    family_actions = family.add_subparsers(dest="family_command", required=True,
                                           metavar="ACTION")
    create = family_actions.add_parser("create", help="make a link to one case (printed once)")
    create.add_argument("reference")
    create.add_argument("--la", help="refuse unless the case is this authority's")
    create.add_argument("--days", type=positive, default=28, help="how long it works (28)")
    create.add_argument("--email", help="tell the family here when a stage is done (where "
                        "EHC_FAMILY_STAGE_EMAILS names the authority)")
    _common(create)
    create.set_defaults(handler=guarded(create_family_link))
    notify = family_actions.add_parser(
        "notify", help="email families whose case reached a new stage (content-free)")
    notify.set_defaults(handler=guarded(notify_families))
    listing = family_actions.add_parser("list", help="a case's links")
    listing.add_argument("reference")
    listing.add_argument("--la", required=True)
    listing.set_defaults(handler=guarded(list_family_links))
    revoke = family_actions.add_parser("revoke", help="stop a link working")
    revoke.add_argument("reference")
    revoke.add_argument("link_id", type=positive)
    revoke.add_argument("--la", required=True)
    add_user_option(revoke)
    revoke.set_defaults(handler=guarded(revoke_family_link))

    feed = subparsers.add_parser("feed", help="iCalendar subscriptions of deadlines")
    feed_actions = feed.add_subparsers(dest="feed_command", required=True, metavar="ACTION")
    create = feed_actions.add_parser("create", help="a caseworker's, team's or case's feed")
    which = create.add_mutually_exclusive_group(required=True)
    which.add_argument("--caseworker")
    which.add_argument("--team")
    which.add_argument("--case")
    create.add_argument("--la", help="refuse unless it is this authority's (needed for a "
                        "team name several authorities use)")
    _common(create)
    create.set_defaults(handler=guarded(create_feed))
    listing = feed_actions.add_parser("list", help="an authority's feeds")
    listing.add_argument("--la", required=True)
    listing.set_defaults(handler=guarded(list_feeds))
    revoke = feed_actions.add_parser("revoke", help="stop a feed working")
    revoke.add_argument("feed_id", type=positive)
    revoke.add_argument("--la", required=True)
    add_user_option(revoke)
    revoke.set_defaults(handler=guarded(revoke_feed))

    token = subparsers.add_parser("api-token", help="other systems' tokens for the JSON API")
    token_actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_actions.add_parser("create", help="a token for one system (printed once)")
    create.add_argument("name", help="the system's name: the actor of what it records")
    create.add_argument("--la", required=True)
    create.add_argument("--scope", choices=("read", "write"), default="read")
    add_user_option(create)
    create.set_defaults(handler=guarded(create_api_token))
    listing = token_actions.add_parser("list", help="every token and its state")
    listing.set_defaults(handler=guarded(list_api_tokens))
    revoke = token_actions.add_parser("revoke", help="stop a token working")
    revoke.add_argument("token_id", type=positive)
    add_user_option(revoke)
    revoke.set_defaults(handler=guarded(revoke_api_token))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", default=BASE_URL, help=f"where ehc serve is ({BASE_URL})")
    add_user_option(parser)


def create_family_link(args: argparse.Namespace) -> int:
    from engine.periods import day_name
    from services import family

    issued = family.create_link(store(), args.reference, la_code=args.la, actor=actor(args),
                                now=runtime().now(), days=args.days, email=args.email)
    print(f"{args.base_url.rstrip('/')}/family/{issued.token}")
    print(f"link {issued.id} to {issued.reference} works until "
          f"{day_name(issued.expires_at.date())}; it is not shown again")
    return 0


def notify_families(args: argparse.Namespace) -> int:
    from services import family, outbox
    from web.settings import load

    policy, run = load().family, runtime()
    queued = family.queue_stage_emails(store(), now=run.now(), policy=policy,
                                       mail_domain=run.notify.mail_domain)
    sent = 0
    for la_code in sorted(policy.stage_emails):
        sent += outbox.deliver(store(), la_code, run.notify, run.transport()).sent
    print(f"{queued} family email(s) queued, {sent} sent")
    return 0


def list_family_links(args: argparse.Namespace) -> int:
    from services import family

    now = runtime().now()
    for link in family.list_links(store(), args.reference, la_code=args.la):
        state = ("revoked" if link.revoked_at else "live" if link.live(now) else "expired")
        print(f"{link.id}\t{state}\tmade {link.created_at:%Y-%m-%d} by {link.created_by}\t"
              f"until {link.expires_at:%Y-%m-%d}")
    return 0


def revoke_family_link(args: argparse.Namespace) -> int:
    from services import family

    family.revoke_link(store(), args.reference, args.link_id, la_code=args.la,
                       actor=actor(args), now=runtime().now())
    print(f"link {args.link_id} to {args.reference} revoked")
    return 0


def create_feed(args: argparse.Namespace) -> int:
    from services import feeds

    kind, subject = next((k, v) for k, v in (("caseworker", args.caseworker),
                                             ("team", args.team), ("case", args.case)) if v)
    issued = feeds.create_feed(store(), kind=kind, subject=subject, la_code=args.la,
                               actor=actor(args), now=runtime().now())
    print(f"{args.base_url.rstrip('/')}/feeds/{issued.token}.ics")
    print(f"feed {issued.id} ({kind} {subject}); subscribe to it in a calendar app; "
          "it is not shown again")
    return 0


def list_feeds(args: argparse.Namespace) -> int:
    from services import feeds

    for feed in feeds.list_feeds(store(), la_code=args.la):
        state = "revoked" if feed.revoked_at else "live"
        print(f"{feed.id}\t{state}\t{feed.kind} {feed.subject}\tmade {feed.created_at:%Y-%m-%d} "
              f"by {feed.created_by}")
    return 0


def revoke_feed(args: argparse.Namespace) -> int:
    from services import feeds

    feeds.revoke_feed(store(), args.feed_id, la_code=args.la, actor=actor(args),
                      now=runtime().now())
    print(f"feed {args.feed_id} revoked")
    return 0


def create_api_token(args: argparse.Namespace) -> int:
    from services import api_tokens

    issued = api_tokens.create_token(store(), args.name, la_code=args.la, scope=args.scope,
                                     actor=actor(args), now=runtime().now())
    print(issued.token)
    print(f"token {issued.client.token_id} for {issued.client.name} ({issued.client.scope}, "
          f"{issued.client.la_code}); it is not shown again")
    return 0


def list_api_tokens(args: argparse.Namespace) -> int:
    from services import api_tokens

    for info in api_tokens.list_tokens(store()):
        client = info.client
        state = "revoked" if info.revoked_at else "live"
        print(f"{client.token_id}\t{state}\t{client.name}\t{client.scope}\t{client.la_code}")
    return 0


def revoke_api_token(args: argparse.Namespace) -> int:
    from services import api_tokens

    client = api_tokens.revoke_token(store(), args.token_id, actor=actor(args),
                                     now=runtime().now())
    print(f"token {client.token_id} of {client.name} revoked")
    return 0
