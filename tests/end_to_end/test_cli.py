"""The command line: exit codes, one-line errors, no traceback, no request on a bad config."""

from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner
from conftest import SMALL_ORG, make_dataset, run_oshs

from oshs.cli import cli

BAD_CONFIGS = {
    "empty list": (
        "organisations: []\n",
        "bad.yaml: organisations: expected a non-empty list of organisations, got an empty list",
    ),
    "duplicate login": (
        "organisations: [nhsx, NHSX]\n",
        "bad.yaml: organisations[1]: duplicate login 'NHSX' (already given at organisations[0] "
        "as 'nhsx')",
    ),
    "invalid login": (
        "organisations: [nhs--x]\n",
        "bad.yaml: organisations[0]: 'nhs--x' is not a valid GitHub login (expected 1-39 "
        "letters, digits or single hyphens, not starting or ending with a hyphen)",
    ),
    "unknown key": (
        "organisations: [nhsx]\nincude_forks: true\n",
        "bad.yaml: unknown key 'incude_forks' (expected one of: gitlab_url, include_archived, "
        "include_forks, languages, organisations, package)",
    ),
    "wrong type": (
        "organisations: [nhsx]\ninclude_forks: 'yes'\n",
        "bad.yaml: include_forks: expected true or false, got 'yes'",
    ),
    "broken YAML": (
        "organisations: [nhsx\n",
        None,
    ),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00", None),
}


def write_config(tmp_path, content) -> str:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def invoke(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    return CliRunner().invoke(cli, args)


@pytest.mark.parametrize("kind", sorted(BAD_CONFIGS))
def test_a_bad_config_exits_2_with_one_line_and_no_request(kind, sandbox, tmp_path, monkeypatch):
    content, expected = BAD_CONFIGS[kind]
    config = write_config(tmp_path, content)
    result = invoke(
        ["run", "--config", "bad.yaml", "--api-url", sandbox.url], tmp_path, monkeypatch
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: bad.yaml: ")
    if expected:
        assert lines[0] == f"error: {expected}"
    assert all(line.startswith(("error: ", "hint: ")) for line in lines)
    assert len(lines) <= 2 and "Traceback" not in result.output
    assert sandbox.requests == []
    assert config  # the file was there


def test_a_missing_config_file_exits_2(sandbox, tmp_path, monkeypatch):
    result = invoke(
        ["run", "--config", "missing.yaml", "--api-url", sandbox.url], tmp_path, monkeypatch
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: missing.yaml: cannot read the file (No such file or directory)"
    )
    assert sandbox.requests == []


def test_a_bad_config_in_a_real_process_prints_no_traceback(tmp_path):
    write_config(tmp_path, b"\x00\x01binary")
    done = run_oshs(
        ["collect", "--config", "bad.yaml", "--api-url", "http://127.0.0.1:9"], tmp_path
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == (
        "error: bad.yaml: expected a UTF-8 text file, found binary data (NUL byte at offset 0)"
    )
    assert "Traceback" not in done.stderr


def test_run_publishes_what_it_could_and_exits_1_when_an_organisation_failed(
    sandbox, tmp_path, monkeypatch
):
    args = ["run", "--orgs", f"{SMALL_ORG},no-such-org", "--api-url", sandbox.url, "-q"]
    result = invoke(args, tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "error: organisation no-such-org failed: HTTP 404: not found" in result.stderr
    rows = (tmp_path / "outputs" / "data" / "organisations.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == ["login", SMALL_ORG]


def test_build_without_snapshots_says_what_to_do(tmp_path, monkeypatch):
    result = invoke(["build", "--raw-dir", "nothing"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: nothing: no collection found (expected folders named YYYY-MM-DD with snapshots)",
        "hint: run `oshs collect` first, or point --raw-dir at the snapshots",
    ]


@pytest.mark.xdist_group("demo")  # one session demo per worker: keep its users together
def test_validate_reports_an_invalid_package(demo_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    csv_path = tmp_path / "oshs-demo" / "outputs" / "data" / "organisations.csv"
    csv_path.write_text(csv_path.read_text().replace(",true,", ",maybe,", 1))
    result = CliRunner().invoke(cli, ["validate", "oshs-demo/datapackage.json"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Data package oshs-demo/datapackage.json: INVALID (3 error(s))"
    errors = [line for line in lines if line.startswith("  - ")]
    assert errors[0].startswith('  - organisations: Type error in the cell "maybe" in row "2"')
    assert len(errors) == 3  # the bad cell, and the changed hash and byte count


@pytest.fixture
def sandbox_process():
    """`oshs sandbox` in its own process; yields the base URL it printed (then GitLab's)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "oshs", "sandbox"], stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()
        assert process.stdout.readline().strip() == f"GitLab: {url}/gitlab"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def get_json(url: str) -> tuple[object, str | None]:
    """GET with plain urllib; the body and the `rel="next"` URL of the Link header."""
    with urllib.request.urlopen(url, timeout=10) as response:
        link = response.headers.get("Link") or ""
        body = json.load(response)
    found = re.search(r'<([^>]+)>; rel="next"', link)
    return body, found.group(1) if found else None


@pytest.mark.slow
def test_another_client_pages_through_the_sandbox_and_sees_what_oshs_run_publishes(
    sandbox_process, tmp_path
):
    assert sandbox_process.startswith("http://127.0.0.1:")
    logins = ["NHSDigital", "nhsengland", "MHRA"]  # 5, 2 and 1 pages of the bundled sample
    seen: set[str] = set()
    for login in logins:
        url: str | None = f"{sandbox_process}/orgs/{login}/repos?type=public&per_page=100"
        while url:
            body, url = get_json(url)
            seen |= {item["full_name"] for item in body if not item["fork"]}
    orgs = ",".join(logins)
    done = run_oshs(
        ["run", "--orgs", orgs, "--api-url", sandbox_process, "-q"], tmp_path, GITHUB_TOKEN="t"
    )
    assert done.returncode == 0, done.stderr
    with (tmp_path / "outputs" / "data" / "repositories.csv").open(encoding="utf-8") as handle:
        published = {row["full_name"] for row in csv.DictReader(handle)}
    assert len(seen) > 600
    assert published == seen


def test_the_sandbox_serves_a_dataset_file_with_the_hourly_budget_asked_for(tmp_path):
    dataset = {
        "format": 1,
        "collected_at": "2025-10-06T06:00:00Z",
        "organisations": [make_dataset()["organisations"][0]],
    }
    path = tmp_path / "dataset.json.gz"
    path.write_bytes(gzip.compress(json.dumps(dataset).encode()))
    command = [sys.executable, "-m", "oshs", "sandbox", "--dataset", str(path), "--rate-limit", "7"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        login = dataset["organisations"][0]["login"]
        request = urllib.request.Request(
            f"{url}/orgs/{login}", headers={"Authorization": "token t"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["login"] == login
            assert response.headers["X-RateLimit-Limit"] == "7"
            assert response.headers["X-RateLimit-Remaining"] == "6"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not JSON or gzip JSON"),
        (b'{"format": 2, "organisations": []}', 'expected a JSON object with "format": 1'),
        (b'{"format": 1, "organisations": []}', 'expected a non-empty "organisations" list'),
    ],
)
def test_a_bad_dataset_file_exits_2_with_one_line(content, problem, tmp_path):
    path = tmp_path / "dataset.json"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["sandbox", "--dataset", str(path)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith(f"error: --dataset {path}: {problem}")
    assert "Traceback" not in result.output
