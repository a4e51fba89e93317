"""A partial run, as without a token when the 60 requests an hour run out: the report, the
charts and the job summary say how many organisations of how many were collected, and name
every one that was not, with the reason."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from conftest import BIG_ORG, SMALL_ORG

from oshs.collect import ApiSettings
from oshs.config import parse_config
from oshs.pipeline import run_build, run_collect
from oshs.sandbox import RateLimiter
from oshs.summary import write_summary

GHOST = "ghost-org"  # after the budget runs out, never asked for


@pytest.mark.slow
def test_a_partial_run_names_every_organisation_not_collected(make_sandbox, tmp_path):
    sandbox = make_sandbox(rate_limiter=RateLimiter(unauthenticated={"core": 5}))
    config = parse_config(
        f"organisations: [{BIG_ORG}, {SMALL_ORG}, {{login: {GHOST}, name: Ghost Trust}}]\n",
        "partial.yaml",
    )
    settings = ApiSettings(api_url=sandbox.url, token=None, seconds_between_requests=0,
                           max_wait=0)  # fmt: skip
    raw, out = tmp_path / "raw", tmp_path / "outputs"
    report = run_collect(config, settings, raw_dir=raw, collected_at=datetime(2025, 10, 6, 6))
    assert sorted(report.failed) == [GHOST, SMALL_ORG]
    run_build(config, raw_dir=raw, out_dir=out, package_path=tmp_path / "datapackage.json")

    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[2].startswith("**SAMPLE DATA**: ")  # from the sandbox
    opening = readme.splitlines()[4]
    reason = r"rate limit exhausted: 1 needed, 0 left until \S+, beyond --max-wait 0 s"
    assert re.fullmatch(
        r"\*\*Partial collection: 1 of 3 organisations collected on 2025-10-06\.\*\* Not "
        rf"collected: Ghost Trust \(`{GHOST}`\): {reason}, never collected, not in the figures; "
        rf"{SMALL_ORG} \(`{SMALL_ORG}`\): {reason}, never collected, not in the figures\.",
        opening,
    ), opening
    assert f"| Ghost Trust | {GHOST} | rate limit exhausted: " in readme
    assert f"| {SMALL_ORG} | {SMALL_ORG} | rate limit exhausted: " in readme

    desc = ET.fromstring((out / "charts" / "licenses.svg").read_bytes())[1].text or ""
    assert desc.startswith(
        "SAMPLE DATA: invented repositories shaped on published counts, not figures from "
        "GitHub. Partial collection: 1 of 3 organisations collected on 2025-10-06; 2 never "
        "collected, not shown. Licences of 247 public repositories"
    )

    summary = tmp_path / "summary.md"
    write_summary(raw, tmp_path / "datapackage.json", None, summary, None)
    assert re.search(
        rf"^\*\*Partial collection: 1 of 3 organisations collected on 2025-10-06\.\*\* Not "
        rf"collected: {GHOST} \(`{GHOST}`\): {reason}, never collected, not in the figures; ",
        summary.read_text(encoding="utf-8"),
        re.M,
    )
