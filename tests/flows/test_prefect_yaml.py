"""prefect.yaml: each deployment points at a real flow, on a process pool, scheduled in
London at a time the clock changes cannot skip or double."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def deployments():
    return yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


def test_every_deployment_entrypoint_is_a_flow_with_the_expected_name():
    names = {}
    for deployment in deployments():
        path, _, function = deployment["entrypoint"].partition(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        names[deployment["name"]] = getattr(module, function).name
    assert names == {"nightly": "nightly-sweep", "weekday-morning": "daily-digest",
                     "weekly-timeliness": "weekly-timeliness"}


def test_schedules_are_in_london_outside_the_clock_change_hours():
    for deployment in deployments():
        [schedule] = deployment["schedules"]
        minute, hour, *_ = schedule["cron"].split()
        assert schedule["timezone"] == "Europe/London"
        assert int(hour) not in (1, 2), deployment["name"]
        assert deployment["work_pool"]["name"] == "ehc-process"


def test_the_digest_goes_out_on_weekdays_before_the_working_day():
    digest = next(d for d in deployments() if d["name"] == "weekday-morning")
    minute, hour, _, _, weekdays = digest["schedules"][0]["cron"].split()
    assert int(hour) < 9
    assert weekdays == "1-5"
