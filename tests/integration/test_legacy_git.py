"""`oshs import-history` on a small predecessor repository with every quirk of the real one
(tests/predecessor.py): read from a clone and from a bundle, imported twice, errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import published_files
from predecessor import EXPECTED, git, make_bundle, make_predecessor

from oshs.cli import cli
from oshs.errors import HistoryImportError
from oshs.legacy_git import read_history


@pytest.fixture(scope="module")
def predecessor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("predecessor")
    return make_predecessor(root / "ohs", "https://github.com/nhsx/open-health-statistics.git")


def observations(history) -> list[tuple]:
    return [tuple(vars(o).values()) for o in history.observations]


def test_a_clone_and_its_bundle_give_the_same_daily_observations(predecessor, tmp_path, caplog):
    clone = read_history(predecessor)
    bundle = read_history(make_bundle(predecessor, tmp_path / "ohs.bundle"))
    assert observations(clone) == observations(bundle) == EXPECTED
    assert (clone.versions, clone.empty, clone.replays, clone.superseded) == (7, 1, 1, 2)
    assert clone.source == "nhsx/open-health-statistics"  # the clone's origin on GitHub
    assert bundle.source == "nhsengland/open-health-statistics"  # a bundle has no origin
    assert read_history(predecessor, name="me/fork").source == "me/fork"
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", predecessor.as_uri(), str(shallow), cwd=tmp_path)
    with caplog.at_level(logging.WARNING):
        # only its newest commit: the file as the revert left it, on that commit's day
        assert observations(read_history(shallow)) == [("2021-07-02", "github", "nhsx", 2, 3, 1, 3)]
    assert f"{shallow} is a shallow clone" in caplog.text


def run(args: list[str], folder: Path):
    return CliRunner().invoke(cli, [*args, "--package", str(folder / "datapackage.json"),
                                    "--out", str(folder / "outputs")])  # fmt: skip


def test_import_history_twice_writes_one_version_then_changes_no_byte(predecessor, tmp_path):
    args = ["import-history", str(predecessor), "--orgs", "NHSX,nhsdigital,nhsbsa"]  # as config
    first = run(args, tmp_path)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        "imported 5 daily observations of 2 organisations published by "
        "nhsx/open-health-statistics, 2021-06-28 to 2021-07-01; "
        f"{tmp_path / 'datapackage.json'} version 1.0.0\n"
    )
    assert first.stderr.splitlines()[-2:] == [
        "warning: nhsx/open-health-statistics: organisations not configured, skipped: ghost-org",
        "warning: nhsx/open-health-statistics: GitLab groups not configured, "
        "skipped: gitlab.com/nhsbsa",
    ]
    history = (tmp_path / "outputs" / "data" / "organisation_history.csv").read_text()
    assert history.splitlines() == [
        "collected_on,organisation,repositories,stars,forks,open_issues,open_pull_requests,"
        "archived,removed,source,includes_forks,open_issues_include_pull_requests",
        "2021-06-28,nhsx,2,2,0,3,,,,nhsx/open-health-statistics,true,true",
        "2021-06-29,NHSDigital,5,6,7,8,,,,nhsx/open-health-statistics,true,true",
        "2021-06-29,nhsx,2,4,1,3,,,,nhsx/open-health-statistics,true,true",
        "2021-07-01,NHSDigital,6,6,7,8,,,,nhsx/open-health-statistics,true,true",
        "2021-07-01,nhsx,3,4,1,2,,,,nhsx/open-health-statistics,true,true",
    ]
    before = published_files(tmp_path)
    second = run(args, tmp_path)
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("already imported, nothing changed: 5 daily observations")
    assert published_files(tmp_path) == before
    valid = CliRunner().invoke(cli, ["validate", str(tmp_path / "datapackage.json"), "-q"])
    assert valid.exit_code == 0, valid.output


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing", "{tmp}/missing: no such file or folder ("),
        ("plain", "{tmp}/plain: not a git repository ("),
        (
            "repo/sub",
            "{tmp}/repo/sub: not the top of a git repository (it lies inside {tmp}/repo; ",
        ),
        ("repo", "{tmp}/repo: assets/data/openhealthstats.csv is in none of its 1 commit ("),
        ("text.txt", "{tmp}/text.txt: not a git bundle or totals file ("),
    ],
)
def test_a_source_that_is_not_a_predecessor_exits_2_with_one_line(source, message, tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "text.txt").write_text("hello\n")
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    git("init", "-q", cwd=tmp_path / "repo")
    (tmp_path / "repo" / "a").write_text("a\n")
    git("add", "a", cwd=tmp_path / "repo")
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "a", cwd=tmp_path / "repo")
    result = run(["import-history", str(tmp_path / source)], tmp_path)
    assert (result.exit_code, result.stderr) == (2, (
        f"error: {message.format(tmp=tmp_path)}expected a git repository or git bundle of "
        "nhsengland/open-health-statistics, or an oshs totals file)\n"
    ))  # fmt: skip
    assert not (tmp_path / "datapackage.json").exists()


def test_no_configured_organisation_and_a_bad_source_name_are_usage_errors(predecessor):
    with pytest.raises(HistoryImportError):
        read_history(predecessor.parent / "nowhere")
    result = CliRunner().invoke(cli, ["import-history", str(predecessor), "--orgs", "other"])
    assert (result.exit_code, result.stderr.splitlines()[-2:]) == (2, [
        "error: nhsx/open-health-statistics: none of its 7 observations is of a configured "
        "organisation (expected one of: other)",
        "hint: add its organisations to the config (or --orgs)",
    ])  # fmt: skip
    result = CliRunner().invoke(cli, ["import-history", str(predecessor), "--source-name", "x"])
    assert (result.exit_code, result.stderr) == (2, (
        "error: --source-name: 'x' is not a GitHub repository (expected OWNER/NAME, e.g. "
        "nhsengland/open-health-statistics)\n"
    ))  # fmt: skip
