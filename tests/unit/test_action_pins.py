"""Every third-party `uses:` is pinned by full commit SHA to a release of the verified pins table.

The table is ``../shared/reference/actions-pins.md`` (beside the repository). A `uses:` in
action.yml, .github/workflows/*.yml, README.md or docs/*.md must name a commit listed there for
that action, with the table's tag for that commit in a trailing comment (``# v7.0.1``). Local
actions (``./``) and placeholders such as ``<owner>/oshs@<commit-sha>`` are not third-party pins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT

PINS_FILE = REPO_ROOT.parent / "shared" / "reference" / "actions-pins.md"

# A row of the table: | owner/repo | tag | `sha` | ... (the rest of the row may wrap lines).
_PIN_ROW = re.compile(
    r"\|[ \t]*(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)[ \t]*"
    r"\|[ \t]*(?P<tag>v[0-9A-Za-z_.-]+)[ \t]*"
    r"\|[ \t]*`(?P<sha>[0-9a-f]{40})`[ \t]*\|"
)
# A `uses:` key at the start of a line (YAML, or YAML quoted in Markdown), optionally a list item.
_USES = re.compile(r"^[ \t]*(?:-[ \t]+)?uses:[ \t]*(?P<value>\S.*?)[ \t]*$", re.M)
_VALUE = re.compile(
    r"""^(?P<quote>["']?)(?P<ref>[^\s"'#]+)(?P=quote)(?:\s+#\s*(?P<comment>.*))?$"""
)
_FULL_SHA = re.compile(r"[0-9a-f]{40}")

Pins = dict[str, dict[str, str]]  # action (lower case) -> {sha: tag}


@dataclass(frozen=True)
class Use:
    """One `uses:` value: where it is, what it references, and its trailing comment."""

    source: str
    line: int
    ref: str
    comment: str


def parse_pins(text: str) -> Pins:
    """The verified releases of the pins table: action -> {commit SHA: tag}."""
    pins: Pins = {}
    for row in _PIN_ROW.finditer(text):
        pins.setdefault(row["action"].lower(), {})[row["sha"]] = row["tag"]
    return pins


def find_uses(text: str, source: str) -> list[Use]:
    """Every `uses:` value of `text` (a YAML file or Markdown with YAML examples)."""
    found = []
    for match in _USES.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        value = _VALUE.match(match["value"])
        if value is None:
            found.append(Use(source, line, match["value"], ""))
        else:
            found.append(Use(source, line, value["ref"], (value["comment"] or "").strip()))
    return found


def is_third_party(ref: str) -> bool:
    """False for a local action (``./``) or a placeholder (``<owner>/oshs@<commit-sha>``)."""
    return not (ref.startswith(("./", "../")) or "<" in ref)


def pin_problem(use: Use, pins: Pins) -> str | None:
    """Why `use` is not a verified pin, or None when it is (or is not a third-party action)."""
    if not is_third_party(use.ref):
        return None
    where = f"{use.source}:{use.line}: {use.ref}"
    name, at, version = use.ref.partition("@")
    action = "/".join(name.split("/")[:2]).lower()
    if not at or name.count("/") < 1:
        return f"{where}: not an owner/repo@ref reference"
    if not _FULL_SHA.fullmatch(version):
        return f"{where}: not pinned by a full 40-hex commit SHA"
    if action not in pins:
        return f"{where}: {action} is not in {PINS_FILE.name}"
    tag = pins[action].get(version)
    if tag is None:
        listed = ", ".join(f"{t} {s}" for s, t in pins[action].items())
        return f"{where}: commit not listed for {action} (listed: {listed})"
    comment_tag = use.comment.split()[0] if use.comment else ""
    if comment_tag != tag:
        return f"{where}: comment tag {comment_tag or '(none)'!r} should be {tag!r}"
    return None


def pin_problems(text: str, source: str, pins: Pins) -> list[str]:
    """Every `uses:` of `text` that is not a verified pin, explained."""
    return [p for use in find_uses(text, source) if (p := pin_problem(use, pins)) is not None]


def checked_files() -> list[Path]:
    """action.yml, the workflows, README.md and docs/*.md."""
    workflows = REPO_ROOT / ".github" / "workflows"
    return [
        REPO_ROOT / "action.yml",
        *sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")]),
        REPO_ROOT / "README.md",
        *sorted((REPO_ROOT / "docs").glob("*.md")),
    ]


@pytest.fixture(scope="module")
def pins() -> Pins:
    """The verified pins table; fails (never skips) when it is missing."""
    if not PINS_FILE.is_file():
        pytest.fail(f"{PINS_FILE} is missing: the pins are checked against it", pytrace=False)
    return parse_pins(PINS_FILE.read_text(encoding="utf-8"))


# --- the table -----------------------------------------------------------------------------


def test_the_table_is_parsed_including_the_row_broken_across_lines(pins):
    assert pins["actions/checkout"] == {"3d3c42e5aac5ba805825da76410c181273ba90b1": "v7.0.1"}
    assert pins["actions/setup-python"] == {"5fda3b95a4ea91299a34e894583c3862153e4b97": "v7.0.0"}
    assert pins["actions/upload-artifact"] == {"bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": "v7.0.0"}
    assert pins["actions/download-artifact"] == {
        "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c": "v8.0.1"
    }
    assert {"actions/upload-pages-artifact", "actions/deploy-pages", "actions/configure-pages"} <= (
        pins.keys()
    )


def test_the_table_parser_ignores_the_list_of_old_pins():
    text = (
        "| action | tag | commit | runtime |\n| --- | --- | --- | --- |\n"
        "| actions/checkout | v7.0.1 | `3d3c42e5aac5ba805825da76410c181273ba90b1` | node24\n"
        " | 2026-07-17 |\n\n"
        "- actions/checkout v4.2.2 `11bd71901bbe5b1630ceea73d27597364c9af683`\n"
    )
    assert parse_pins(text) == {
        "actions/checkout": {"3d3c42e5aac5ba805825da76410c181273ba90b1": "v7.0.1"}
    }


# --- the project's files -------------------------------------------------------------------


def test_every_uses_is_pinned_to_a_verified_release(pins):
    assert (REPO_ROOT / "action.yml").is_file()
    problems, third_party = [], 0
    for path in checked_files():
        text = path.read_text(encoding="utf-8")
        source = path.relative_to(REPO_ROOT).as_posix()
        third_party += sum(is_third_party(use.ref) for use in find_uses(text, source))
        problems += pin_problems(text, source, pins)
    assert third_party >= 10, "the `uses:` scan found too few references: is it still working?"
    assert problems == [], "\n".join(problems)


def yaml_uses(node: object) -> list[str]:
    """Every `uses` value of a parsed YAML document."""
    if isinstance(node, dict):
        found = [str(node["uses"])] if "uses" in node else []
        return found + [ref for value in node.values() for ref in yaml_uses(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in yaml_uses(item)]
    return []


@pytest.mark.parametrize(
    "path", [p for p in checked_files() if p.suffix in (".yml", ".yaml")], ids=lambda p: p.name
)
def test_the_line_scan_sees_every_uses_a_yaml_parser_sees(path):
    text = path.read_text(encoding="utf-8")
    assert [use.ref for use in find_uses(text, path.name)] == yaml_uses(yaml.safe_load(text))


# --- the checker itself --------------------------------------------------------------------

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
            "commit not listed for actions/checkout",
        ),
        ("- uses: actions/checkout@v7.0.1", "not pinned by a full 40-hex commit SHA"),
        ("- uses: actions/checkout@3d3c42e", "not pinned by a full 40-hex commit SHA"),
        (f"- uses: {CHECKOUT} # v7.0.0", "comment tag 'v7.0.0' should be 'v7.0.1'"),
        (f"- uses: {CHECKOUT}", "comment tag '(none)' should be 'v7.0.1'"),
        (
            "  uses: someone/else@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
            "someone/else is not in actions-pins.md",
        ),
        (
            "uses: actions/setup-python@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
            "commit not listed for actions/setup-python",
        ),
        ("- uses: actions/checkout", "not an owner/repo@ref reference"),
    ],
)
def test_the_checker_reports_a_bad_pin(pins, line, reason):
    text = f"steps:\n  - run: echo\n  {line}\n"
    problems = pin_problems(text, "example.yml", pins)
    assert len(problems) == 1, problems
    assert problems[0].startswith("example.yml:3: ")
    assert reason in problems[0]


def test_the_checker_reports_the_old_checkout_pin_of_a_markdown_example(pins):
    text = (
        "```yaml\nsteps:\n"
        "  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
        "    with: {persist-credentials: false}\n```\n"
    )
    assert pin_problems(text, "README.md", pins) == [
        "README.md:3: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683: commit not "
        "listed for actions/checkout (listed: v7.0.1 3d3c42e5aac5ba805825da76410c181273ba90b1)"
    ]


def test_the_checker_accepts_verified_pins_local_actions_and_placeholders(pins):
    text = (
        f"  - uses: {CHECKOUT} # v7.0.1\n"
        f"  - uses: '{CHECKOUT}' # v7.0.1 -- with a note\n"
        "    uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1\n"
        "    uses: ./ # zizmor: ignore[self-repository]\n"
        "  - uses: <owner>/oshs@<commit-sha> # pin the Action by commit\n"
        "Prose mentioning `uses:` lines is not a step.\n"
    )
    assert pin_problems(text, "example.md", pins) == []
    assert len(find_uses(text, "example.md")) == 5
