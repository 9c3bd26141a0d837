"""The engine's public surface is exactly ``__all__`` (httpx's test_exported_members), and
importing it pulls in nothing that does I/O."""

import subprocess
import sys
import types

import engine


def test_every_public_name_is_exported_and_every_export_exists():
    public = {
        name
        for name in dir(engine)
        if not name.startswith("_") and not isinstance(getattr(engine, name), types.ModuleType)
    }
    assert set(engine.__all__) == public


def test_importing_the_engine_loads_no_database_scheduler_or_mail_code():
    code = (
        "import sys, engine, engine.escalation\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted({'prefect', 'sqlalchemy', 'smtplib', 'psycopg'} & loaded))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
