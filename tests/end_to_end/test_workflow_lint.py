"""action.yml and the workflows pass zizmor and GitHub's JSON schemas (both offline).

The tools are in the `test` extra; a missing tool fails the test rather than skipping it.
check-jsonschema's `vendor.*` schemas ship inside the package, so no network is needed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    """The tool next to this interpreter, else on PATH; fails when it is not installed."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install '.[test]'", pytrace=False)
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_workflows_are_the_expected_three():
    assert [Path(path).name for path in WORKFLOWS] == [
        "ci.yml",
        "publish.yml",
        "sharded-example.yml",
    ]


def test_zizmor_finds_nothing():
    done = run(tool("zizmor"), "--offline", "action.yml", *WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("schema", "files"),
    [("vendor.github-actions", ["action.yml"]), ("vendor.github-workflows", WORKFLOWS)],
)
def test_github_schemas_accept_the_files(schema, files):
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, *files)
    assert (done.returncode, done.stdout.strip()) == (0, "ok -- validation done"), done.stderr


def test_no_input_is_expanded_inside_a_run_script():
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    scripts = [step["run"] for step in action["runs"]["steps"] if "run" in step]
    assert scripts and all("${{" not in script for script in scripts)
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert all(len(ref.split("@")[1]) == 40 for ref in uses)
