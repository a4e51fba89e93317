"""Shared fixtures of the test suite.

- ``openapi_description``: GitHub's OpenAPI description (npm ``@octokit/openapi``), once a session.
- ``sandbox_dataset`` / ``make_sandbox`` / ``sandbox``: the GitHub API sandbox on a tiny dataset.
"""

from __future__ import annotations

import copy
import fcntl
import gc
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from npm_packages import (
    GRAPHQL_SCHEMA_MEMBER,
    OCTOKIT_GRAPHQL_SCHEMA,
    OCTOKIT_GRAPHQL_SCHEMA_VERSION,
    OCTOKIT_OPENAPI,
    OCTOKIT_OPENAPI_VERSION,
    OPENAPI_MEMBER,
    npm_cache_dir,
    npm_package_file,
)

from oshs.sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parent.parent

# --- GitHub's OpenAPI description ----------------------------------------------------------


@pytest.fixture(scope="session")
def openapi_description() -> dict[str, Any]:
    """GitHub's REST OpenAPI description (``generated/api.github.com.json``), parsed.

    Fails (never skips) when the pinned npm package cannot be obtained.
    """
    try:
        root = npm_package_file(OCTOKIT_OPENAPI, OCTOKIT_OPENAPI_VERSION, [OPENAPI_MEMBER])
        return json.loads((root / OPENAPI_MEMBER).read_text(encoding="utf-8"))
    except (RuntimeError, OSError, KeyError, ValueError, subprocess.SubprocessError) as exc:
        pytest.fail(
            f"cannot obtain {OCTOKIT_OPENAPI}@{OCTOKIT_OPENAPI_VERSION} "
            f"({OPENAPI_MEMBER}) under {npm_cache_dir()}: {exc}. Run "
            f"`npm pack {OCTOKIT_OPENAPI}@{OCTOKIT_OPENAPI_VERSION}` with registry access, "
            "or point OSHS_NPM_CACHE at a directory holding the extracted package.",
            pytrace=False,
        )


# --- how many pytest-xdist workers ------------------------------------------------------------


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores this process may use (``OSHS_TEST_WORKERS``
    overrides). Many tests wait (a rate-limit reset, a timeout, git, Chromium, a child oshs):
    with one worker per core a core idles while its worker waits."""
    configured = os.environ.get("OSHS_TEST_WORKERS", "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


# --- pytest-xdist's loadgroup on pytest 9 ----------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `xdist_group` tests on one worker (`--dist loadgroup`) with pytest 9.2.

    pytest-xdist 3.8 groups them by suffixing `@<group>` to `item._nodeid`, which pytest 9.2 no
    longer reads (it keeps the id in `item._id`), so each worker built its own session demo.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")


# --- the workers' garbage collector ---------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Freeze what exists when a test starts (`gc.freeze`): the imported modules, the session's
    fixtures, what earlier tests left. A worker holds 250,000-540,000 objects, and each full
    collection during a test traversed them all again (0.3-1.4 s each, about 30 s of a run);
    a build's `oshs.collection.thaw` unfreezes them, and the next test freezes them again."""
    gc.freeze()


# --- the GitHub API sandbox ----------------------------------------------------------------

HOSTILE = {
    "markup": '<script>alert("x")</script><img src=x onerror=alert(1)> **bold** [a](javascript:x)',
    "formula": '=HYPERLINK("http://evil.example","click")',
    "rtl": "\u202eevil\u202c مستودع",
    "long": "long " * 1200,
}
BIG_ORG, BIG_ORG_ID, BIG_ORG_SIZE = "NHSSandbox", 1001, 250
SMALL_ORG, SMALL_ORG_ID = "small-trust", 1002
LICENSES = [
    {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
    {"key": "other", "name": "Other", "spdx_id": "NOASSERTION"},
    None,
    {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0"},
]
LANGUAGES = [{"Python": 5000, "HTML": 200}, {"R": 900}, {}, {"JavaScript": 70, "CSS": 70}]
FILES = [["README.md", "LICENSE", "CONTRIBUTING.md", "CODE_OF_CONDUCT.md"], ["readme.rst"], []]


def make_repository(number: int, **changes: Any) -> dict[str, Any]:
    """Repository `number` of the test dataset (deterministic), with `changes` applied."""
    day = f"20{15 + number // 365:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    repo = {
        "id": 600000 + number,
        "name": f"repo-{number:03d}",
        "description": f"Repository {number}" if number % 5 else None,
        "homepage": "https://example.org/docs" if number % 7 == 0 else None,
        "created_at": f"{day}T10:{number % 60:02d}:00Z",
        "updated_at": f"{day}T11:00:00Z",
        "pushed_at": f"{day}T12:00:00Z",
        "languages": dict(LANGUAGES[number % len(LANGUAGES)]),
        "license": copy.deepcopy(LICENSES[number % len(LICENSES)]),
        "topics": ["nhs", f"topic-{number % 3}"] if number % 2 else [],
        "stargazers_count": number % 17,
        "watchers_count": number % 17,
        "forks_count": number % 5,
        "open_issues": number % 4,
        "open_pull_requests": number % 3,
        "size": 10 * number,
        "default_branch": "main",
        "fork": False,
        "archived": False,
        "disabled": False,
        "is_template": False,
        "has_issues": True,
        "has_wiki": number % 2 == 0,
        "has_projects": True,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "visibility": "public",
        "files": list(FILES[number % len(FILES)]),
    }
    repo.update(changes)
    return repo


def big_org_repositories() -> list[dict[str, Any]]:
    """250 repositories: a fork, an archived, a template, a private, an internal, hostile text."""
    special: dict[int, dict[str, Any]] = {
        3: {"fork": True},
        4: {"archived": True},
        5: {"is_template": True, "name": "Template.Repo_5"},
        6: {"description": HOSTILE["markup"], "topics": ["x-formula", "rtl"]},
        7: {"visibility": "private", "name": "secret-private"},
        8: {"visibility": "internal", "name": "secret-internal"},
        9: {"description": HOSTILE["formula"] + HOSTILE["rtl"], "homepage": "javascript:alert(1)"},
        10: {"description": HOSTILE["long"]},
    }
    return [make_repository(n, **special.get(n, {})) for n in range(1, BIG_ORG_SIZE + 1)]


def make_dataset() -> dict[str, Any]:
    """A fresh copy of the tiny test dataset (format of docs/architecture.md)."""
    org_fields = {
        "email": None,
        "twitter_username": None,
        "updated_at": "2025-01-01T00:00:00Z",
    }
    big = {
        "login": BIG_ORG,
        "id": BIG_ORG_ID,
        "name": "NHS Sandbox Trust",
        "description": "A test organisation " + HOSTILE["markup"],
        "blog": "https://example.org",
        "location": "England",
        "created_at": "2014-03-05T10:00:00Z",
        "is_verified": True,
        "repositories": big_org_repositories(),
        **org_fields,
    }
    small = {
        "login": SMALL_ORG,
        "id": SMALL_ORG_ID,
        "name": None,
        "description": None,
        "blog": None,
        "location": None,
        "created_at": "2019-06-01T00:00:00Z",
        "is_verified": False,
        "repositories": [
            make_repository(901, name="Tools", id=700001),
            make_repository(902, name="hidden", id=700002, visibility="private"),
            make_repository(903, name="fork-of-tools", id=700003, fork=True),
        ],
        **org_fields,
    }
    return {"format": 1, "collected_at": "2025-10-06T06:00:00Z", "organisations": [big, small]}


def public_full_names(dataset: dict[str, Any], login: str) -> set[str]:
    """``owner/name`` of the public repositories of organisation `login` in `dataset`."""
    org = next(o for o in dataset["organisations"] if o["login"].lower() == login.lower())
    return {
        f"{org['login']}/{repo['name']}"
        for repo in org["repositories"]
        if repo["visibility"] == "public"
    }


@pytest.fixture
def sandbox_dataset() -> dict[str, Any]:
    """A fresh test dataset (tests may change it)."""
    return make_dataset()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Factory: ``make_sandbox(dataset=None, **options)`` starts a Sandbox, stopped afterwards."""
    started: list[Sandbox] = []

    def start(dataset: dict[str, Any] | None = None, **options: Any) -> Sandbox:
        sandbox = Sandbox(make_dataset() if dataset is None else dataset, **options).start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A running Sandbox serving the test dataset."""
    return make_sandbox()


# --- GitHub's GraphQL schema ---------------------------------------------------------------


@pytest.fixture(scope="session")
def github_graphql_schema() -> Any:
    """GitHub's public GraphQL schema (npm ``@octokit/graphql-schema``), a graphql-core schema.

    Fails (never skips) when the pinned npm package cannot be obtained.
    """
    from graphql import build_schema

    try:
        root = npm_package_file(
            OCTOKIT_GRAPHQL_SCHEMA, OCTOKIT_GRAPHQL_SCHEMA_VERSION, [GRAPHQL_SCHEMA_MEMBER]
        )
        text = (root / GRAPHQL_SCHEMA_MEMBER).read_text(encoding="utf-8")
        return build_schema(text, assume_valid_sdl=True)
    except (RuntimeError, OSError, KeyError, ValueError, subprocess.SubprocessError) as exc:
        pytest.fail(
            f"cannot obtain {OCTOKIT_GRAPHQL_SCHEMA}@{OCTOKIT_GRAPHQL_SCHEMA_VERSION} "
            f"({GRAPHQL_SCHEMA_MEMBER}) under {npm_cache_dir()}: {exc}. Run "
            f"`npm pack {OCTOKIT_GRAPHQL_SCHEMA}@{OCTOKIT_GRAPHQL_SCHEMA_VERSION}` with registry "
            "access, or point OSHS_NPM_CACHE at a directory holding the extracted package.",
            pytrace=False,
        )


# --- helpers of the end-to-end tests -------------------------------------------------------


@pytest.fixture(scope="session")
def demo_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`oshs demo` run once per test run, in process; read-only (tests that change it take
    `demo_copy`).

    Under pytest-xdist the workers share one demo: the first to need it builds it under a
    lock in their common base folder, the others wait and reuse it (the `xdist_group` marks
    alone do not keep the demo's users on one worker with pytest 9, whose node ids ignore the
    group suffix pytest-xdist 3.8 adds).
    """
    from click.testing import CliRunner

    from oshs.cli import cli

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the base folder of the run, shared by its workers
    folder = root / "shared-demo" / "oshs-demo"
    with (root / "shared-demo.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "datapackage.json").is_file():
            shutil.rmtree(folder.parent, ignore_errors=True)
            result = CliRunner().invoke(cli, ["demo", "--dir", str(folder), "-q"])
            assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def demo_copy(demo_package: Path, tmp_path: Path) -> Path:
    """A copy of the session's demo folder at `tmp_path/oshs-demo`, for a test to change."""
    target = tmp_path / "oshs-demo"
    shutil.copytree(demo_package, target)
    return target


def published_files(root: Path) -> dict[str, bytes]:
    """The bytes of a published package: `root/datapackage.json` and everything in `outputs/`."""
    paths = [root / "datapackage.json", *sorted((root / "outputs").rglob("*"))]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def load_script(name: str) -> ModuleType:
    """A script of `scripts/` imported as a module (they are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_oshs(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m oshs ARGS` in its own process, in `cwd`, with `env` added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "oshs", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_tables(
    tables: dict[str, Any],
    root: Path,
    *,
    metadata: dict[str, Any],
    version: str = "1.0.0",
    created: str = "2025-10-06T00:00:00Z",
    sources: Any = (),
    changelog: str | None = None,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Publish `tables` under `root` as production does (CSV bytes → descriptor →
    `write_package_data`); return the descriptor."""
    from oshs.descriptor import package_descriptor
    from oshs.package import resource_dir_for, write_package_data
    from oshs.tables import to_csv_bytes

    package_path = root / "datapackage.json"
    out_dir = out_dir if out_dir is not None else root / "outputs"
    data = {name: to_csv_bytes(frame) for name, frame in tables.items()}
    descriptor = package_descriptor(
        data,
        metadata=metadata,
        version=version,
        created=created,
        sources=list(sources),
        resource_dir=resource_dir_for(package_path, out_dir),
    )
    write_package_data(
        data, descriptor, package_path=package_path, out_dir=out_dir, changelog=changelog
    )
    return descriptor
