"""Running ``ehc`` in-process the way the CLI tests do (shared by every CLI test file)."""

from __future__ import annotations

from typing import Any

from cli.main import main


def ehc(capsys: Any, *argv: object) -> tuple[int | str | None, str, str]:
    """Run ``ehc argv``; returns (exit code, stdout, stderr). An argparse usage error
    (``SystemExit``) gives its code like any other exit."""
    try:
        code: int | str | None = main([str(arg) for arg in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
