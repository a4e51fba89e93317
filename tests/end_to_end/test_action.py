"""action.yml, run by the local runner against the API sandbox and a bare git remote."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest
from action_runner import bare_remote, checkout, git, run_action
from conftest import BIG_ORG, SMALL_ORG, make_dataset
from predecessor import line, make_predecessor, version

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_TESTTOKEN1234567890abcdef"
SECRETS = [TOKEN.encode(), base64.b64encode(f"x-access-token:{TOKEN}".encode())]
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"


def public_sources(dataset) -> int:
    """Repositories the package keeps: public and not forks."""
    return sum(
        repo["visibility"] == "public" and not repo["fork"]
        for org in dataset["organisations"]
        for repo in org["repositories"]
    )


@pytest.fixture
def job(tmp_path, make_sandbox):
    """A sandbox, a bare remote, and a function that runs the Action in a fresh checkout."""
    sandbox = make_sandbox()
    remote = bare_remote(tmp_path / "remote.git")
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    runs = []

    def run(organisations=f"{BIG_ORG}\n{SMALL_ORG}", **inputs):
        number = len(runs) + 1
        workspace = checkout(remote, tmp_path / f"workspace-{number}")
        result = run_action(
            ROOT,
            workspace=workspace,
            temp=tmp_path / f"temp-{number}",
            inputs={"organisations": organisations, **inputs},
            github={"token": TOKEN, "api_url": sandbox.url, "job": "publish", "run_attempt": 1},
            env=env,
        )
        runs.append(result)
        return result

    return run, remote, sandbox


def remote_log(remote: Path) -> list[str]:
    return git("log", "--format=%s|%an <%ae>", "main", cwd=remote).splitlines()


def test_a_failed_organisation_fails_the_step_after_publishing_and_importing(job, tmp_path):
    """With `history-from`, the predecessor's history is imported after the collection (even
    when an organisation failed) and published with it."""
    run, remote, _ = job
    days = [
        ("2025-10-01T00:02:00+01:00", SMALL_ORG.upper(), (2, 3, 1, 4)),  # 09-30 in UTC
        ("2025-10-02T00:02:00+00:00", SMALL_ORG, (2, 3, 1, 5)),
    ]
    commits = [
        (moment, version(line(f"https://github.com/{login}", "2020-01-01", counts)))
        for moment, login, counts in days
    ]
    predecessor = make_predecessor(tmp_path / "ohs", commits=commits)
    result = run(organisations=f"{SMALL_ORG}, ghost-org", **{"history-from": str(predecessor)})
    assert not result.success
    assert result.outputs["organisations-failed"] == "ghost-org"
    assert result.outputs["changed"] == "true"
    assert result.outputs["version"] == "1.1.0"  # the collection (1.0.0), then the import
    assert result.step_outputs["run"] == {"exit-code": "1"}
    assert git("tag", "--list", cwd=remote).split() == ["data-v1.1.0"]
    assert "| ghost-org | failed: " in result.summary
    assert "::error::oshs run exited with 1; what could be collected was published" in result.log
    assert "::group::oshs import-history" in result.log
    history = git("show", "main:outputs/data/organisation_history.csv", cwd=remote)
    source = "nhsengland/open-health-statistics"
    assert [row for row in history.splitlines() if source in row] == [
        f"2025-09-30,{SMALL_ORG},2,3,1,4,,,,{source},true,true",
        f"2025-10-02,{SMALL_ORG},2,3,1,5,,,,{source},true,true",
    ]


def test_commit_false_builds_and_reports_without_committing(job):
    run, remote, _ = job
    result = run(organisations=SMALL_ORG, commit="false")
    assert result.success, result.log
    assert result.outputs == {
        "changed": "true",
        "version": "1.0.0",
        "repositories": "1",
        "organisations-failed": "",
    }
    assert remote_log(remote) == ["initial commit|seed <seed@example.org>"]
    assert "not committed (`commit` is not `true`)" in result.summary


def test_neither_organisations_nor_config_is_an_error(job):
    run, remote, _ = job
    result = run(organisations="")
    assert not result.success
    assert "::error::give the organisations input, the config input, or both" in result.log
    assert remote_log(remote) == ["initial commit|seed <seed@example.org>"]


def assert_first_run_published(result, remote: Path) -> None:
    """A first run: version 1.0.0 committed, tagged and reported; the raw snapshot uploaded."""
    assert result.success, result.log
    repositories = public_sources(make_dataset())
    assert result.outputs == {
        "changed": "true",
        "version": "1.0.0",
        "repositories": str(repositories),
        "organisations-failed": "",
    }
    assert remote_log(remote) == [
        f"oshs data v1.0.0: {repositories} repositories added, 0 removed|{BOT}",
        "initial commit|seed <seed@example.org>",
    ]
    assert git("tag", "--list", cwd=remote).split() == ["data-v1.0.0"]
    assert git("rev-parse", "data-v1.0.0^{commit}", cwd=remote) == git(
        "rev-parse", "main", cwd=remote
    )
    assert f"| {BIG_ORG} | collected | {repositories - 1} |" in result.summary
    assert "| small-trust | collected | 1 | 0 |" in result.summary
    assert "Version 1.0.0 (first), committed as" in result.summary
    assert "::group::oshs run" in result.log and "::endgroup::" in result.log
    artifact = result.artifacts / "oshs-raw-publish-1"
    snapshots = sorted(p.name for p in artifact.glob("????-??-??/*.json*"))
    assert snapshots == ["manifest.json", "nhssandbox.json.gz", "small-trust.json.gz"]


def file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.slow
def test_a_first_run_publishes_a_second_with_nothing_new_commits_nothing_no_token_anywhere(
    job, tmp_path
):
    """A first run publishes 1.0.0; a second on the same day changes nothing; no secret is left
    anywhere (one test: the second run needs the first)."""
    run, remote, sandbox = job
    first = run()
    assert_first_run_published(first, remote)
    head = git("rev-parse", "main", cwd=remote)
    again = run()
    assert again.success, again.log
    assert again.outputs["changed"] == "false"
    assert again.outputs["version"] == "1.0.0"
    assert "no change" in again.log
    assert "No change since the last publication: nothing was committed." in again.summary
    assert git("rev-parse", "main", cwd=remote) == head
    assert all(request.authenticated for request in sandbox.requests)  # the token was used
    texts = [result.log + result.summary + str(result.outputs) for result in (first, again)]
    history = git("log", "--all", "--format=%H%n%an%n%ae%n%B", "-p", cwd=remote)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) > 20
    for secret in SECRETS:
        assert all(secret.decode() not in text for text in [*texts, history])
        assert [path for path in files if secret in file_bytes(path)] == []
