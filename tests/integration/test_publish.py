"""oshs.publish: token by environment only, change summaries, commit/tag/push on a temp repo."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime

import pytest
from click.testing import CliRunner
from conftest import SMALL_ORG

from oshs.changes import added_and_removed
from oshs.cli import cli
from oshs.collect import ApiSettings
from oshs.config import bundled_config, select_organisations
from oshs.errors import PublishError
from oshs.pipeline import run_build, run_collect
from oshs.publish import (
    BOT_EMAIL,
    BOT_NAME,
    Git,
    PublishResult,
    auth_env,
    commit_message,
    open_repository,
    publish_package,
    run_process,
)

TOKEN = "ghp_TESTTOKEN1234567890abcdef"
BASIC = "eC1hY2Nlc3MtdG9rZW46Z2hwX1RFU1RUT0tFTjEyMzQ1Njc4OTBhYmNkZWY="  # x-access-token:TOKEN
KEY = "http.https://github.com/.extraheader"
CONFIG = select_organisations(bundled_config(), [SMALL_ORG])
ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def test_the_token_reaches_git_as_an_extra_header_by_environment():
    assert auth_env(TOKEN, base={}) == {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": KEY,
        "GIT_CONFIG_VALUE_0": "",
        "GIT_CONFIG_KEY_1": KEY,
        "GIT_CONFIG_VALUE_1": f"AUTHORIZATION: basic {BASIC}",
    }


def test_extra_header_entries_follow_configuration_already_given_by_environment():
    env = auth_env(TOKEN, server_url="https://ghe.example.org/", base={"GIT_CONFIG_COUNT": "1"})
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert env["GIT_CONFIG_KEY_2"] == "http.https://ghe.example.org/.extraheader"
    assert "GIT_CONFIG_KEY_0" not in env


class Recorder:
    """A git runner that records every call and fails `push` with the token in its stderr."""

    def __init__(self, tmp_path):
        self.calls, self.tmp_path = [], tmp_path

    def __call__(self, args, cwd, env):
        self.calls.append((list(args), dict(env)))
        if args[1] == "rev-parse":
            return subprocess.CompletedProcess(args, 0, f"{self.tmp_path}\n", "")
        if args[1] == "push":
            stderr = f"fatal: denied to x-access-token:{TOKEN} (AUTHORIZATION: basic {BASIC})\n"
            return subprocess.CompletedProcess(args, 128, "", stderr)
        return subprocess.CompletedProcess(args, 1, "", "")


def test_the_token_is_in_no_argument_and_redacted_from_errors(tmp_path):
    recorder = Recorder(tmp_path)
    git = open_repository(tmp_path / "datapackage.json", token=TOKEN, runner=recorder, env={})
    with pytest.raises(PublishError) as caught:
        git.output("push", "origin", "main")
    assert caught.value.message == (
        "git push failed: fatal: denied to x-access-token:*** (AUTHORIZATION: basic ***)"
    )
    assert TOKEN not in repr(git) and all(
        TOKEN not in " ".join(args) and BASIC not in " ".join(args) for args, _ in recorder.calls
    )
    env = recorder.calls[-1][1]
    assert env["GIT_CONFIG_VALUE_1"] == f"AUTHORIZATION: basic {BASIC}"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert (env["GIT_AUTHOR_NAME"], env["GIT_COMMITTER_EMAIL"]) == (BOT_NAME, BOT_EMAIL)


def test_an_identity_given_by_environment_is_kept(tmp_path):
    recorder = Recorder(tmp_path)
    git = open_repository(tmp_path, runner=recorder, env={"GIT_AUTHOR_NAME": "Ann"})
    git.run("status")
    env = recorder.calls[-1][1]
    assert (env["GIT_AUTHOR_NAME"], env["GIT_COMMITTER_NAME"]) == ("Ann", BOT_NAME)
    assert "GIT_CONFIG_COUNT" not in env  # no token, no header
    assert repr(Git(tmp_path, runner=recorder)) == f"Git(cwd={str(tmp_path)!r})"


def test_commit_message_names_the_version_counts_and_repositories():
    message = commit_message("1.2.0", ["org/a", "org/b"], ["org/\u202egone"])
    assert message == (
        "oshs data v1.2.0: 2 repositories added, 1 removed\n\n"
        "Added:\n- org/a\n- org/b\n\nRemoved:\n- org/gone\n"
    )
    assert commit_message("1.2.1", [], []) == "oshs data v1.2.1: no repository added or removed\n"
    assert commit_message("1.0.0", [], [], subject="Data\nupdate") == "Data update\n"
    assert commit_message("1.0.1", [], [], subject="\n\u202e") == (
        "oshs data v1.0.1: no repository added or removed\n"
    )
    many = commit_message("2.0.0", [f"o/r{n:02d}" for n in range(52)], [])
    assert many.endswith("- o/r49\n- … and 2 more\n")


def test_commit_messages_drop_every_control_and_bidi_character():
    message = commit_message(
        "1.3.0", ["org/\u061cname\u0085x", "org/\x1b[31mred"], [], subject="Sub\u009bject\u061c"
    )
    assert message == "Subject\n\nAdded:\n- org/name x\n- org/[31mred\n"


def test_repository_changes_count_disappeared_and_flagged_rows_as_removed():
    old = "id,full_name,removed\n1,o/a,false\n2,o/b,false\n3,o/c,false\n"
    new = "id,full_name,removed\n1,o/a,false\n2,o/b,true\n4,o/d,false\n"
    assert added_and_removed(old, new) == (["o/d"], ["o/b", "o/c"])
    assert added_and_removed(None, "id,full_name\n5,o/e\n") == (["o/e"], [])


def test_result_lines():
    assert PublishResult(False, "1.0.0").line() == "no change"
    done = PublishResult(True, "1.1.0", "1.0.0", "data-v1.1.0", "0123456789abcdef", ["a/b"])
    assert (
        done.line()
        == "published data-v1.1.0 (commit 0123456789ab, 1 repositories added, 0 removed)"
    )
    dry = PublishResult(True, "1.1.0", removed=["a/b"], dry_run=True)
    assert dry.line() == "would publish data-v1.1.0 (0 repositories added, 1 removed; dry run)"
    assert json.loads(done.to_json())["tag"] == "data-v1.1.0"


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory):
    """One raw collection of the small test organisation."""
    from conftest import make_dataset

    from oshs.sandbox import Sandbox

    raw = tmp_path_factory.mktemp("raw")
    with Sandbox(make_dataset()) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
        run_collect(CONFIG, settings, raw_dir=raw, collected_at=datetime(2025, 10, 6, 6))
    return raw


def git_cmd(*args, cwd):
    done = run_process(["git", *args], cwd, {**ENV, "HOME": str(cwd)})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory, raw_dir):
    """The package `oshs build` makes of `raw_dir`, built once a module (read-only)."""
    folder = tmp_path_factory.mktemp("built")
    run_build(
        CONFIG,
        raw_dir=raw_dir,
        out_dir=folder / "outputs",
        package_path=folder / "datapackage.json",
    )
    return folder


@pytest.fixture
def work(tmp_path, built):
    """A clone of a bare remote, holding a copy of the freshly built package."""
    git_cmd("init", "-q", "--bare", "-b", "main", "remote.git", cwd=tmp_path)
    git_cmd("clone", "-q", "remote.git", "work", cwd=tmp_path)
    work = tmp_path / "work"
    shutil.copytree(built, work, dirs_exist_ok=True)
    return work


def publish(work, **options):
    git = open_repository(work / "datapackage.json", env=ENV)
    return publish_package(
        git, work / "datapackage.json", work / "outputs", rebuild=lambda: None, **options
    )


def test_publish_commits_tags_and_pushes_then_finds_no_change(work, tmp_path):
    first = publish(work)
    assert (first.changed, first.tag, first.attempts) == (True, "data-v1.0.0", 1)
    assert first.added == [f"{SMALL_ORG}/Tools"] and first.previous_version is None
    remote = tmp_path / "remote.git"
    assert git_cmd("log", "--format=%an <%ae>|%s", cwd=remote).splitlines() == [
        f"{BOT_NAME} <{BOT_EMAIL}>|oshs data v1.0.0: 1 repositories added, 0 removed"
    ]
    assert git_cmd("cat-file", "-t", "data-v1.0.0", cwd=remote) == "tag\n"  # annotated
    assert git_cmd("rev-parse", "HEAD", cwd=work).strip() == first.commit
    assert publish(work) == PublishResult(False, "1.0.0", "1.0.0", added=[], removed=[])


def test_only_the_package_paths_are_committed(work, tmp_path):
    (work / "notes.txt").write_text("not published\n")
    git_cmd("add", "notes.txt", cwd=work)
    publish(work)
    files = git_cmd("ls-tree", "-r", "--name-only", "main", cwd=tmp_path / "remote.git")
    assert "notes.txt" not in files.split() and "datapackage.json" in files.split()
    assert git_cmd("status", "--porcelain", cwd=work) == "A  notes.txt\n"


def test_an_invalid_package_commits_nothing(work):
    table = work / "outputs" / "data" / "repositories.csv"
    table.write_text(table.read_text().replace("Tools", "Tampered"))
    with pytest.raises(PublishError) as caught:
        publish(work)
    assert caught.value.message == (
        f"{work / 'datapackage.json'}: the data package is invalid; nothing was committed"
    )
    assert git_cmd("status", "--porcelain", cwd=work).startswith("?? ")
    assert run_process(["git", "rev-parse", "--verify", "HEAD"], work, ENV).returncode != 0


def test_a_detached_head_or_an_existing_tag_is_an_error(work):
    publish(work)
    descriptor = json.loads((work / "datapackage.json").read_text())
    descriptor["description"] = "changed metadata, same version"
    (work / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")
    with pytest.raises(PublishError) as caught:
        publish(work)
    assert caught.value.message == (
        "tag data-v1.0.0 already exists: the package changed but its version did not"
    )
    git_cmd("checkout", "-q", "--detach", cwd=work)
    with pytest.raises(PublishError) as caught:
        publish(work)
    assert caught.value.message == "HEAD is detached: there is no branch to publish to"


def test_an_unreachable_remote_commits_nothing(work, tmp_path):
    missing = tmp_path / "missing.git"
    git_cmd("remote", "set-url", "origin", str(missing), cwd=work)
    with pytest.raises(PublishError) as caught:
        publish(work)
    assert caught.value.message == (
        f"cannot reach origin: fatal: '{missing}' does not appear to be a git repository; "
        "nothing was published"
    )
    assert git_cmd("tag", "--list", cwd=work) == ""
    assert run_process(["git", "rev-parse", "--verify", "HEAD"], work, ENV).returncode != 0


def test_a_push_that_fails_keeps_the_commit_and_the_next_run_pushes_it(work, tmp_path):
    def broken(args, cwd, env):
        if args[1] == "push":
            return subprocess.CompletedProcess(args, 128, "", "fatal: the network went away\n")
        return run_process(args, cwd, env)

    git = open_repository(work / "datapackage.json", env=ENV, runner=broken)
    with pytest.raises(PublishError) as caught:
        publish_package(git, work / "datapackage.json", work / "outputs", rebuild=lambda: None)
    assert caught.value.message == (
        "git push to origin failed: fatal: the network went away; the commit stays in this "
        "clone and the next `oshs publish` pushes it"
    )
    assert git_cmd("tag", "--list", cwd=work) == "data-v1.0.0\n"
    result = publish(work)
    assert (result.changed, result.tag, result.attempts) == (True, "data-v1.0.0", 1)
    remote = tmp_path / "remote.git"
    assert git_cmd("rev-parse", "main", cwd=remote) == git_cmd("rev-parse", "HEAD", cwd=work)
    assert git_cmd("tag", "--list", cwd=remote) == "data-v1.0.0\n"
    assert publish(work).line() == "no change"


def test_the_cli_publishes_then_says_no_change(work, raw_dir, monkeypatch):
    monkeypatch.chdir(work)
    for name, value in {**ENV, "GITHUB_TOKEN": TOKEN}.items():
        monkeypatch.setenv(name, value)
    args = ["publish", "--orgs", SMALL_ORG, "--raw-dir", str(raw_dir), "--result-file", "r.json"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("published data-v1.0.0 (commit ")
    assert json.loads((work / "r.json").read_text())["changed"] is True
    second = CliRunner().invoke(cli, args[:-2])
    assert (second.exit_code, second.stdout) == (0, "no change\n")
    assert TOKEN not in first.output + second.output


def test_the_cli_reports_an_invalid_package_in_one_line(work, raw_dir, monkeypatch):
    monkeypatch.chdir(work)
    (work / "outputs" / "data" / "topics.csv").write_text("broken\n")
    result = CliRunner().invoke(cli, ["publish", "--orgs", SMALL_ORG, "--raw-dir", str(raw_dir)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: datapackage.json: the data package is invalid; nothing was committed",
        "hint: run `oshs validate datapackage.json` for the report",
    ]
