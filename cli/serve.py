"""``ehc serve``: the web application (``web.app.create_app``) under uvicorn.

Imports of the web stack wait until the command runs, so ``ehc --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import fail, guarded, runtime


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (sessions and rate limits are in the database, "
                            "so any number share them; default: %(default)s)")
    serve.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import missing_assets
    from web.settings import SettingsError, load

    runtime()  # every other setting, checked now rather than in each worker
    try:
        load().check_host(args.host)
    except SettingsError as exc:
        return fail(str(exc))
    missing = missing_assets()
    if missing:
        return fail(f"the web assets are not built ({', '.join(missing)} missing): "
                    "run scripts/setup")
    print(f"EHC timescales on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(
        "web.app:create_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, proxy_headers=True, server_header=False, log_level="info",
    )
    return 0
