"""Bad inputs get one clear line (and a hint), the right exit code, and change nothing: a state
that differs from its descriptor, snapshots that lie about their date, options that cannot be
right, YAML built to explode, a descriptor that would fetch from the network, a full disk.

Each case runs the CLI in process (click's CliRunner) on a copy of one small published package.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL_ORG

from oshs.cli import cli
from oshs.collect import ApiSettings
from oshs.config import bundled_config, select_organisations
from oshs.pipeline import run_build, run_collect
from oshs.sandbox import Sandbox
from oshs.sandbox.proxy import CountingProxy

CONFIG = select_organisations(bundled_config(), [SMALL_ORG])
HINT = "hint: restore the published files (e.g. `git checkout -- <file>`), or move the package away"
DAY = "2025-10-06"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A package of the small organisation (one collection), and its raw snapshots."""
    from conftest import make_dataset

    root = tmp_path_factory.mktemp("published")
    with Sandbox(make_dataset()) as sandbox:
        settings = ApiSettings(api_url=sandbox.url, token="t", seconds_between_requests=0)
        run_collect(CONFIG, settings, raw_dir=root / "raw", collected_at=datetime(2025, 10, 6, 6))
    run_build(
        CONFIG,
        raw_dir=root / "raw",
        out_dir=root / "outputs",
        package_path=root / "datapackage.json",
    )
    return root


@pytest.fixture
def package(published, tmp_path) -> Path:
    """A copy of the published package and its raw snapshots, to spoil."""
    target = tmp_path / "p"
    shutil.copytree(published, target)
    return target


def oshs(*args: str, cwd: Path, **env: str):
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), env={"GITHUB_ACTIONS": None, **env})
    finally:
        os.chdir(old)


def build(package: Path):
    return oshs("build", "--orgs", SMALL_ORG, "--raw-dir", "raw", cwd=package)


def descriptor(package: Path) -> dict:
    return json.loads((package / "datapackage.json").read_text())


def write_descriptor(package: Path, value: dict) -> None:
    (package / "datapackage.json").write_text(json.dumps(value, indent=2) + "\n")


def rehash(package: Path, name: str) -> None:
    """Make the descriptor agree with a hand-edited table (bytes, hash)."""
    value = descriptor(package)
    resource = next(r for r in value["resources"] if r["name"] == name)
    data = (package / resource["path"]).read_bytes()
    resource["bytes"], resource["hash"] = len(data), f"sha256:{hashlib.sha256(data).hexdigest()}"
    write_descriptor(package, value)


def history_csv(package: Path) -> Path:
    return package / "outputs" / "data" / "organisation_history.csv"


def shown(path: Path, package: Path) -> Path:
    """`path` as the CLI names it: relative to the package folder it runs in."""
    return path.relative_to(package)


def assert_refused(result, *lines: str, code: int = 1) -> None:
    assert (result.exit_code, result.stderr.splitlines()) == (code, list(lines))


def test_a_hand_edited_history_value_is_named_not_carried(package):
    path = history_csv(package)
    path.write_text(path.read_text().replace(f"{DAY},{SMALL_ORG},1,", f"{DAY},{SMALL_ORG},7,"))
    before = (package / "datapackage.json").read_bytes()
    assert_refused(
        build(package),
        f"error: {shown(path, package)}: its sha256 differs from the hash in datapackage.json: "
        "the file changed after it was published",
        HINT,
    )
    assert (package / "datapackage.json").read_bytes() == before


def test_a_longer_edit_is_named_by_its_size(package):
    path = history_csv(package)
    size = len(path.read_bytes())
    path.write_text(path.read_text().replace(f"{DAY},{SMALL_ORG},1,", f"{DAY},{SMALL_ORG},17,"))
    assert_refused(
        build(package),
        f"error: {shown(path, package)}: {size + 1} bytes, but datapackage.json says {size}: "
        "the file changed after it was published",
        HINT,
    )


def test_a_dropped_first_seen_column_is_refused_even_when_rehashed(package):
    path = package / "outputs" / "data" / "repositories.csv"
    rows = [line.split(",") for line in path.read_text().splitlines()]
    column = rows[0].index("first_seen")
    path.write_text("".join(",".join(r[:column] + r[column + 1 :]) + "\n" for r in rows))
    value = descriptor(package)
    schema = next(r for r in value["resources"] if r["name"] == "repositories")["schema"]
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "first_seen"]
    write_descriptor(package, value)
    rehash(package, "repositories")
    assert_refused(
        build(package),
        f"error: {shown(path, package)}: column(s) first_seen missing: the history cannot "
        "continue without them",
        HINT,
    )


def test_a_column_dropped_from_the_csv_only_is_named(package):
    path = package / "outputs" / "data" / "repositories.csv"
    rows = [line.split(",") for line in path.read_text().splitlines()]
    column = rows[0].index("first_seen")
    path.write_text("".join(",".join(r[:column] + r[column + 1 :]) + "\n" for r in rows))
    rehash(package, "repositories")
    assert_refused(
        build(package),
        f"error: {shown(path, package)}: its columns differ from the schema in datapackage.json "
        "(missing: first_seen; unexpected: none; or in another order)",
        HINT,
    )


def test_a_deleted_changelog_is_an_error_not_a_restart(package):
    changelog = package / "outputs" / "CHANGELOG.md"
    changelog.unlink()
    assert_refused(
        build(package),
        f"error: {changelog.relative_to(package)}: missing, but it is part of the published "
        "state (every version and what changed)",
        HINT,
    )


@pytest.mark.parametrize(
    ("created", "problem"),
    [
        (None, "'created' is None, expected the collection date as YYYY-MM-DDTHH:MM:SSZ"),
        ("2025-10-06", "'created' is '2025-10-06', expected the collection date as "
                       "YYYY-MM-DDTHH:MM:SSZ"),
        ("2205-11-15T00:00:00Z", "'created' 2205-11-15T00:00:00Z is in the future (now {today})"),
    ],
)  # fmt: skip
def test_a_missing_or_odd_created_is_named(package, created, problem):
    value = descriptor(package)
    value.pop("created") if created is None else value.update(created=created)
    write_descriptor(package, value)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert_refused(build(package), f"error: datapackage.json: {problem.format(today=today)}", HINT)


def test_a_resource_that_is_not_a_local_file_is_refused(package):
    value = descriptor(package)
    value["resources"][0]["path"] = "http://127.0.0.1:9/organisations.csv"
    write_descriptor(package, value)
    assert_refused(
        build(package),
        "error: datapackage.json: resource 'organisations': path "
        "'http://127.0.0.1:9/organisations.csv' is not a file inside the package",
        HINT,
    )


def test_a_snapshot_of_another_day_than_its_folder_is_named(package):
    path = package / "raw" / DAY / f"{SMALL_ORG}.json.gz"
    doc = json.loads(gzip.decompress(path.read_bytes()))
    doc["collected_at"] = "2025-10-05T06:00:00Z"
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    assert_refused(
        build(package),
        f"error: {Path('raw') / DAY / path.name}: collected_at is '2025-10-05T06:00:00Z', not "
        f"of {DAY} (the date of its folder)",
        "hint: move the snapshot to the folder of its collection date",
    )


def test_a_snapshot_that_cannot_be_normalised_is_named(package):
    path = package / "raw" / DAY / f"{SMALL_ORG}.json.gz"
    doc = json.loads(gzip.decompress(path.read_bytes()))
    doc["organisation"] = {"url": "x", "body": None}
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    assert_refused(
        build(package),
        f"error: {Path('raw') / DAY / path.name}: 'body' is missing or not a dict",
    )


def test_a_collection_dated_in_the_future_is_refused(package):
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    shutil.copytree(package / "raw" / DAY, package / "raw" / future)
    assert_refused(
        build(package),
        f"error: {Path('raw') / future}: a collection dated in the future",
        "hint: remove it: collections are dated by when they were made",
    )


def test_a_collected_at_in_the_future_is_a_usage_error(package):
    result = oshs(
        "collect", "--orgs", SMALL_ORG, "--api-url", "http://127.0.0.1:9",
        "--collected-at", "2205-11-15", cwd=package,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: --collected-at 2205-11-15T00:00:00Z: in the future (now "
    )
    assert result.stderr.endswith("Z); expected the time of a collection already made\n")


LEVELS = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "g")]
EXPECTED_URL = "expected https://HOST[:PORT][/PATH] (http:// only on 127.0.0.1 or localhost)"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("api.github.com", "not an http(s) URL with a host"),
        ("ftp://api.github.com", "not an http(s) URL with a host"),
        ("https://", "not an http(s) URL with a host"),
        ("https://api.github.com:99999", "not an http(s) URL with a host"),
        ("http://api.github.com", "plain http would send the token unencrypted"),
        ("https://me:pw@api.github.com", "credentials do not belong in the URL (the token is read "
                                         "from GITHUB_TOKEN)"),
        ("https://api.github.com/?x=1", "a base URL has no query or fragment"),
    ],
)  # fmt: skip
def test_a_bad_api_url_is_a_usage_error(tmp_path, url, problem):
    result = oshs("collect", "--orgs", SMALL_ORG, "--api-url", url, cwd=tmp_path)
    assert_refused(result, f"error: --api-url {url!r}: {problem}; {EXPECTED_URL}", code=2)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in LEVELS)
            + "organisations: [*g]\n",
            "the YAML expands to more than 100,000 values (aliases)",
        ),
        ("organisations: " + "[" * 5000 + "]" * 5000 + "\n", "the YAML is nested too deeply"),
        ("# " + "x" * 1_100_000 + "\n", "the file has 1,100,003 bytes; a config has at most "
                                        "1,048,576"),
    ],
    ids=["alias-bomb", "deep", "huge"],
)  # fmt: skip
def test_yaml_built_to_explode_is_refused_at_once(tmp_path, text, problem):
    (tmp_path / "oshs.yaml").write_text(text)
    result = oshs("collect", "--config", "oshs.yaml", cwd=tmp_path)
    assert_refused(result, f"error: oshs.yaml: {problem}", code=2)


def test_validate_never_fetches_a_remote_resource_unless_asked(package, sandbox):
    with CountingProxy(sandbox.url) as proxy:
        value = descriptor(package)
        value["resources"][0]["path"] = f"{proxy.url}/organisations.csv"
        write_descriptor(package, value)
        result = oshs("validate", "datapackage.json", cwd=package)
        assert proxy.requests == 0
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Data package datapackage.json: INVALID (1 error(s))",
        "Errors:",
        f"  - datapackage.json: resource 'organisations': path '{proxy.url}/organisations.csv' "
        "is remote; oshs validate reads local files only (--remote to fetch them)",
        "",
    ]


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.ENOSPC, "no space left on the device (disk full)"),
        (errno.EROFS, "read-only file system"),
    ],
)
def test_a_full_disk_or_read_only_folder_is_named_and_publishes_nothing(
    package, monkeypatch, code, cause
):
    real = Path.write_bytes

    def full(self, data):
        if self.name == "topics.csv":
            raise OSError(code, "refused", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and "raw" not in p.parts}
    assert_refused(
        build(package),
        f"error: cannot write {Path('outputs') / 'data' / 'topics.csv'}: {cause}",
        "hint: free some space or choose a writable folder, then run again",
    )
    after = {p: p.read_bytes() for p in package.rglob("*") if p.is_file() and "raw" not in p.parts}
    assert after == before
