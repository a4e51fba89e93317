"""The Action's job summary (Markdown for `$GITHUB_STEP_SUMMARY`) and step outputs.

Run as `oshs summary` by `action.yml` after publishing: it reads the run manifest (totals,
failures, rate limit spent), the published package (per-organisation counts) and the JSON result
of `oshs publish --result-file` (what changed). Every GitHub string is escaped with
`oshs.text.escape_markdown`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oshs.errors import SummaryError
from oshs.findings import provenance_lines
from oshs.provenance import build_provenance
from oshs.snapshot import collection_dates, read_manifest
from oshs.text import escape_markdown

LISTED_NAMES = 20  # repositories named per kind in the summary


def read_table(package_path: Path, descriptor: Mapping[str, Any], name: str) -> list[dict]:
    """The rows of resource `name` of a package (empty when it has none)."""
    for resource in descriptor.get("resources", []):
        path = Path(package_path).parent / str(resource.get("path", ""))
        if resource.get("name") == name and path.is_file():
            return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return []


def read_json(path: Path | None) -> dict[str, Any] | None:
    """A JSON object, or None when `path` is unset or missing; `SummaryError` when unreadable."""
    if path is None or not Path(path).is_file():
        return None
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SummaryError(f"{path}: expected a JSON object, could not read it ({error})") from None
    if not isinstance(document, dict):
        raise SummaryError(f"{path}: expected a JSON object, got a {type(document).__name__}")
    return document


def latest_manifest(raw_dir: Path) -> dict[str, Any] | None:
    """The manifest of the newest collection in `raw_dir`, or None."""
    dates = collection_dates(raw_dir) if Path(raw_dir).is_dir() else []
    return read_manifest(raw_dir, dates[-1]) if dates else None


def per_organisation(manifest: Mapping[str, Any], repositories: list[dict]) -> list[str]:
    """The per-organisation table: status, published repositories and stars."""
    counts: dict[str, list[int]] = {}
    for row in repositories:
        if row.get("removed") != "true":
            count = counts.setdefault(str(row.get("organisation", "")).lower(), [0, 0])
            count[0] += 1
            count[1] += int(row.get("stars") or 0)
    organisations = manifest.get("organisations", {})
    failed = organisations.get("failed", {})
    lines = ["| Organisation | Status | Repositories | Stars |", "| --- | --- | --- | ---: |"]
    for login in sorted([*organisations.get("collected", []), *failed], key=str.lower):
        status = f"failed: {escape_markdown(failed[login])}" if login in failed else "collected"
        published, stars = counts.get(login.lower(), [0, 0])
        lines.append(f"| {escape_markdown(login)} | {status} | {published} | {stars} |")
    return lines


def rate_limit_line(manifest: Mapping[str, Any]) -> str:
    """Requests made and rate-limit points spent, as one sentence."""
    limit = manifest.get("rate_limit") or {}
    line = f"{manifest.get('requests', 0)} API requests"
    if "used" in limit and "limit" in limit:
        line += f"; rate limit: {limit['used']} of {limit['limit']} used"
        if "remaining" in limit:
            line += f", {limit['remaining']} remaining"
        if "reset" in limit:
            reset = datetime.fromtimestamp(int(limit["reset"]), UTC)
            line += f", resets at {reset:%Y-%m-%d %H:%M} UTC"
    gitlab = manifest.get("gitlab")
    if isinstance(gitlab, Mapping):  # the GitLab groups' part of the run
        left = (gitlab.get("rate_limit") or {}).get("remaining")
        line += f"; GitLab: {gitlab.get('requests', 0)} requests"
        line += f", {left} left in its rate limit" if left is not None else ""
    return line + "."


def change_lines(result: Mapping[str, Any] | None) -> list[str]:
    """What changed in the published package, from the result of `oshs publish`."""
    if result is None:
        return ["Nothing was published: the run stopped before a package could be built."]
    if not result.get("changed"):
        return ["No change since the last publication: nothing was committed."]
    previous = result.get("previous_version")
    version = f"{previous} → {result['version']}" if previous else f"{result['version']} (first)"
    if result.get("dry_run"):
        lines = [f"Version {version}, not committed (`commit` is not `true`)."]
    else:
        tag, commit = result.get("tag"), str(result.get("commit") or "")[:12]
        lines = [f"Version {version}, committed as `{commit}` and tagged `{tag}`."]
    for title, names in (
        ("Added", result.get("added", [])),
        ("Removed", result.get("removed", [])),
    ):
        lines.append("")
        lines.append(f"{title}: {len(names)} repositories")
        lines.extend(f"- {escape_markdown(name)}" for name in names[:LISTED_NAMES])
        if len(names) > LISTED_NAMES:
            lines.append(f"- … and {len(names) - LISTED_NAMES} more")
    return lines


def labels(
    manifest: Mapping[str, Any],
    descriptor: Mapping[str, Any] | None,
    organisations: list[dict] | None = None,
) -> list[str]:
    """The summary's opening lines: SAMPLE DATA, and a partial run with every organisation not
    collected and why (the manifest's failures, and those the package marks stale)."""
    run = manifest.get("organisations", {})
    failed = run.get("failed", {})
    provenance = build_provenance(
        str(manifest.get("collected_at") or "")[:10],
        sources=(descriptor or {}).get("sources"),
        organisations=organisations or [],
        failed=failed,
        configured=[*run.get("collected", []), *failed],
        collected=run.get("collected", []),
    )
    return [line for text in provenance_lines(provenance) for line in (text, "")]


def render_summary(
    manifest: Mapping[str, Any] | None,
    descriptor: Mapping[str, Any] | None,
    repositories: list[dict],
    result: Mapping[str, Any] | None,
    organisations: list[dict] | None = None,
) -> str:
    """The job summary: labels (sample data, partial run), totals, per-organisation table,
    what changed, rate limit spent. `organisations` are the rows of `organisations.csv`."""
    title = (descriptor or {}).get("title") or "oshs data package"
    lines = [f"## {escape_markdown(title)}", ""]
    if manifest is None:
        return "\n".join([*lines, "No collection manifest: nothing was collected.", ""])
    lines += labels(manifest, descriptor, organisations)
    organisations_run = manifest.get("organisations", {})
    collected = organisations_run.get("collected", [])
    failed = organisations_run.get("failed", {})
    published = sum(row.get("removed") != "true" for row in repositories)
    version = escape_markdown((descriptor or {}).get("version", "none"))
    collected_at = escape_markdown(manifest.get("collected_at"))
    lines.append(
        f"**{published}** repositories of **{len(collected)}** organisations "
        f"(**{len(failed)}** failed), collected at {collected_at}, "
        f"data package version **{version}**."
    )
    lines += ["", *per_organisation(manifest, repositories), "", "### What changed", ""]
    lines += [*change_lines(result), "", "### API usage", "", rate_limit_line(manifest), ""]
    return "\n".join(lines)


def action_outputs(
    manifest: Mapping[str, Any] | None,
    descriptor: Mapping[str, Any] | None,
    repositories: list[dict],
    result: Mapping[str, Any] | None,
) -> dict[str, str]:
    """The Action's outputs: changed, version, repositories, organisations-failed."""
    failed = sorted(((manifest or {}).get("organisations") or {}).get("failed", {}))
    return {
        "changed": "true" if result and result.get("changed") else "false",
        "version": str((descriptor or {}).get("version", "")),
        "repositories": str(sum(row.get("removed") != "true" for row in repositories)),
        "organisations-failed": ",".join(failed),
    }


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append outputs to a `$GITHUB_OUTPUT` file, each in the multi-line (delimiter) form."""
    delimiter = f"oshs_{uuid.uuid4().hex}"
    with Path(path).open("a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def write_summary(
    raw_dir: Path,
    package_path: Path,
    result_path: Path | None,
    summary_file: Path | None,
    output_file: Path | None,
) -> None:
    """Write the job summary and the Action's outputs (`oshs summary`).

    The summary is appended to `summary_file`, else printed on stdout; the outputs are appended
    to `output_file` when it is given (`$GITHUB_OUTPUT`).
    """
    manifest, descriptor = latest_manifest(raw_dir), read_json(package_path)
    repositories = read_table(package_path, descriptor or {}, "repositories")
    organisations = read_table(package_path, descriptor or {}, "organisations")
    result = read_json(result_path)
    text = render_summary(manifest, descriptor, repositories, result, organisations)
    if summary_file:
        with Path(summary_file).open("a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if output_file:
        write_outputs(output_file, action_outputs(manifest, descriptor, repositories, result))
