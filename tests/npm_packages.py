"""The npm packages the tests read, pinned, and how they are obtained: `npm pack` (a package's
files) or `npm install` (a client with its dependencies), once, into a cache outside the project's
sources (`.cache/npm`, or ``OSHS_NPM_CACHE``).

`python tests/npm_packages.py` fetches them all: `.ci/run` does so before the tests, so the time
of the registry is not the time of the suite. A test that needs a package it cannot obtain fails
(never skips).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

OCTOKIT_OPENAPI = "@octokit/openapi"
OCTOKIT_OPENAPI_VERSION = "23.0.2"  # pinned: bump deliberately, payload tests follow GitHub
OPENAPI_MEMBER = "package/generated/api.github.com.json"
OCTOKIT_GRAPHQL_SCHEMA = "@octokit/graphql-schema"
OCTOKIT_GRAPHQL_SCHEMA_VERSION = "15.26.1"  # pinned: bump deliberately, the subset test follows
GRAPHQL_SCHEMA_MEMBER = "package/schema.graphql"
AXE = "axe-core"
AXE_VERSION = "4.14.1"  # pinned: bump deliberately, its rules follow
AXE_MEMBER = "package/axe.min.js"
GITBEAKER = "@gitbeaker/rest"
GITBEAKER_VERSION = "43.8.0"  # pinned: bump deliberately

PACKED = [
    (OCTOKIT_OPENAPI, OCTOKIT_OPENAPI_VERSION, [OPENAPI_MEMBER]),
    (OCTOKIT_GRAPHQL_SCHEMA, OCTOKIT_GRAPHQL_SCHEMA_VERSION, [GRAPHQL_SCHEMA_MEMBER]),
    (AXE, AXE_VERSION, [AXE_MEMBER]),
]
"""Packages whose files the tests read (`npm pack`)."""
INSTALLED = [(GITBEAKER, GITBEAKER_VERSION)]
"""Clients the tests run with node (`npm install`)."""


def npm_cache_dir() -> Path:
    """Where npm packages used by tests are kept (``OSHS_NPM_CACHE`` overrides)."""
    return Path(os.environ.get("OSHS_NPM_CACHE") or REPO_ROOT / ".cache" / "npm")


def npm_package_file(name: str, version: str, members: list[str]) -> Path:
    """Extract `members` of npm package `name@version` under the cache (fetched by ``npm pack``).

    Returns the directory holding ``package/``. Raises RuntimeError with the reason on failure.
    """
    target = npm_cache_dir() / f"{name.lstrip('@').replace('/', '-')}-{version}"
    if all((target / member).is_file() for member in members):
        return target
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not on PATH")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        done = subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", work, "--silent"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tarballs = list(Path(work).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise RuntimeError(f"npm pack failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        extracted = Path(work) / "extracted"
        with tarfile.open(tarballs[0]) as archive:
            wanted = [archive.getmember(member) for member in members]
            archive.extractall(extracted, members=wanted, filter="data")
        if all((target / member).is_file() for member in members):
            return target  # another test process (pytest-xdist worker) extracted it first
        shutil.rmtree(target, ignore_errors=True)
        try:
            extracted.rename(target)
        except OSError:  # another worker's rename won the race: use what it extracted
            if not all((target / member).is_file() for member in members):
                raise
    return target


def npm_installed(name: str, version: str) -> Path:
    """Install npm package `name@version` with its dependencies under the cache (``npm
    install``, once; a lock keeps pytest-xdist workers apart). Returns the folder holding
    ``node_modules``. Raises RuntimeError with the reason on failure."""
    target = npm_cache_dir() / f"install-{name.lstrip('@').replace('/', '-')}-{version}"
    marker = target / "node_modules" / name / "package.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{target.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            return target
        if shutil.which("npm") is None or shutil.which("node") is None:
            raise RuntimeError("npm and node are not both on PATH")
        command = ["npm", "install", "--prefix", str(target), f"{name}@{version}",
                   "--no-audit", "--no-fund", "--silent"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not marker.is_file():
            raise RuntimeError(f"npm install failed ({done.returncode}): {done.stderr[-500:]}")
    return target


def fetch_all() -> None:
    """Every package the tests need, into the cache (what is there already is kept)."""
    for name, version, members in PACKED:
        npm_package_file(name, version, members)
    for name, version in INSTALLED:
        npm_installed(name, version)


if __name__ == "__main__":
    try:
        fetch_all()
    except RuntimeError as problem:
        sys.exit(f"npm packages of the tests: {problem}")
