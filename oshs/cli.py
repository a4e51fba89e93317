"""The `oshs` command line: a thin click layer over `oshs.pipeline`.

Stages raise `OshsError` subclasses; only `handle_errors` (`oshs.cli_options`, with the options
every command shares) turns them into one line on stderr with a hint, and the exit code (0
success, 1 failure, 2 usage or config error). `--debug` shows a traceback. Text that may come
from GitHub is printed through `oshs.console.safe_line`.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from oshs import __version__
from oshs.cli_checks import collection_time
from oshs.cli_options import (
    PATH,
    api_options,
    api_settings,
    common_options,
    handle_errors,
    resolve_config,
)
from oshs.console import progress, safe_line
from oshs.errors import UsageError

log = logging.getLogger("oshs.cli")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oshs")
def cli() -> None:
    """Open-source statistics of NHS and healthcare organisations on GitHub."""


@cli.command()
@common_options
@api_options
@click.option("--shard", help="Collect only slice K of N of the organisations (e.g. 2/4).")
@handle_errors
def collect(
    config_path,
    orgs,
    raw_dir,
    package_path,
    api_url,
    token_env,
    max_wait,
    enrich,
    api,
    collected_at,
    shard,
    quiet,
    gitlab_url=None,
    **_: Any,
) -> None:
    """Collect the organisations' public repositories from the API into raw snapshots."""
    from oshs.pipeline import run_collect
    from oshs.shards import parse_shard, select_shard

    config = resolve_config(config_path, orgs)
    part = parse_shard(shard) if shard is not None else None
    if part:
        config = select_shard(config, *part)
    settings = api_settings(api_url, token_env, max_wait, enrich, api, gitlab_url)
    with progress("collecting", quiet=quiet) as on_progress:
        report = run_collect(
            config,
            settings,
            raw_dir=raw_dir,
            collected_at=collection_time(collected_at),
            on_progress=on_progress,
            shard=part,
            package_path=package_path,
        )
    sys.exit(1 if report.failed else 0)


@cli.command()
@common_options
@handle_errors
def build(config_path, orgs, raw_dir, out_dir, package_path, **_: Any) -> None:
    """Build the tables, data package, chart and report from raw snapshots (no network)."""
    from oshs.pipeline import run_build

    config = resolve_config(config_path, orgs)
    result = run_build(config, raw_dir=raw_dir, out_dir=out_dir, package_path=package_path)
    log.info(
        "built %s version %s: %d repositories of %d organisations, collected on %s",
        result.package_path,
        result.descriptor["version"],
        result.repositories,
        result.organisations,
        result.collected_on,
    )


@cli.command("import-history")
@click.argument("source", type=PATH)
@common_options
@click.option(
    "--source-name",
    metavar="OWNER/NAME",
    help="The predecessor's GitHub repository, recorded as the rows' `source` (default: "
    "SOURCE's origin on github.com, else nhsengland/open-health-statistics).",
)
@handle_errors
def import_history(source, config_path, orgs, out_dir, package_path, source_name, **_: Any) -> None:
    """Import a predecessor's published history into organisation_history.

    SOURCE is a clone or a git bundle of nhsengland/open-health-statistics (or a totals file
    written by oshs): every version of its assets/data/openhealthstats.csv gives the daily
    totals of the configured organisations (forks included; open issues include pull
    requests). The package is created when there is none. Importing again changes nothing.
    """
    from oshs.legacy import SOURCE_PATTERN
    from oshs.legacy_git import read_history
    from oshs.pipeline import run_import

    if source_name is not None and not SOURCE_PATTERN.match(source_name):
        raise UsageError(
            f"--source-name: {source_name!r} is not a GitHub repository "
            "(expected OWNER/NAME, e.g. nhsengland/open-health-statistics)"
        )
    config = resolve_config(config_path, orgs)
    history = read_history(source, name=source_name)
    if history.versions:
        log.info("%s: %d versions read; skipped %d empty, %d replayed and %d superseded the "
                 "same day; %d days", source, history.versions, history.empty,
                 history.replays, history.superseded, len(history.days))  # fmt: skip
    click.echo(run_import(config, history, out_dir=out_dir, package_path=package_path).line())


@cli.command()
@common_options
@api_options
@handle_errors
def run(
    config_path,
    orgs,
    raw_dir,
    out_dir,
    package_path,
    api_url,
    token_env,
    max_wait,
    enrich,
    api,
    collected_at,
    quiet,
    gitlab_url=None,
    **_: Any,
) -> None:
    """Collect, build and validate: what the Action calls."""
    from oshs.pipeline import run_all

    config = resolve_config(config_path, orgs)
    settings = api_settings(api_url, token_env, max_wait, enrich, api, gitlab_url)
    with progress("collecting", quiet=quiet) as on_progress:
        ok = run_all(
            config,
            settings,
            raw_dir=raw_dir,
            out_dir=out_dir,
            package_path=package_path,
            collected_at=collection_time(collected_at),
            on_progress=on_progress,
        )
    sys.exit(0 if ok else 1)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=Path("datapackage.json"))
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only print when the package is invalid.")
@click.option("--remote", is_flag=True, help="Also fetch resources named by URL (else refused).")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def validate(path: Path, quiet: bool, remote: bool, **_: Any) -> None:
    """Validate a data package with frictionless; exit 1 when it is invalid.

    A build of it that was interrupted is completed first; a running one is waited for."""
    from oshs.package import format_report, validate_package
    from oshs.transaction import package_lock

    with package_lock(path):
        report = validate_package(path, remote=remote)
    if not (quiet and report.valid):
        click.echo(safe_line(format_report(report)))
    sys.exit(0 if report.valid else 1)


@cli.command()
@click.option("--dir", "target", type=PATH, default=Path("oshs-demo"), show_default=True,
              help="Folder the demo writes everything into.")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def demo(target: Path, quiet: bool, **_: Any) -> None:
    """Run the whole pipeline offline on the bundled sample, through the API sandbox."""
    from oshs.demo import run_demo

    started = time.monotonic()
    with progress("collecting", quiet=quiet) as on_progress:
        result = run_demo(target, on_progress=on_progress)
    click.echo(
        f"demo done in {time.monotonic() - started:.1f} s: {result.repositories} "
        f"repositories of {result.organisations} organisations (sample data)"
    )
    click.echo(
        f"  data package: {result.package_path}  (check it: oshs validate {result.package_path})"
    )
    click.echo(f"  report:       {result.out_dir / 'README.md'}")
    click.echo(f"  charts:       {result.out_dir / 'charts'} (SVG and PNG)")
    click.echo(f"  website:      {result.out_dir / 'site' / 'index.html'}  (open it in a browser)")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")  # fmt: skip
@click.option("--dataset", "dataset_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Serve this dataset (docs/architecture.md), not the sample.")  # fmt: skip
@click.option("--rate-limit", type=click.IntRange(min=1), metavar="N",
              help="Requests per token and window, each API (5000/hour).")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def sandbox(port: int, dataset_path: Path | None, rate_limit: int | None, **_: Any) -> None:
    """Serve the GitHub and GitLab API sandbox with the bundled sample (or a dataset) until
    interrupted.

    Prints GitHub's base URL, then `GitLab: <base>/gitlab` (python-gitlab's `url`)."""
    from oshs.sample import load_dataset_file, load_sample
    from oshs.sandbox import Sandbox
    from oshs.sandbox.ratelimit import RateLimiter

    dataset = load_dataset_file(dataset_path) if dataset_path else load_sample()
    budget = dict.fromkeys(("core", "graphql", "gitlab"), rate_limit) if rate_limit else None
    with Sandbox(dataset, port=port, rate_limiter=RateLimiter(budget)) as server:
        click.echo(server.url, nl=True)
        click.echo(f"GitLab: {server.gitlab_url}", nl=True)
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command()
@common_options
@click.option("--message", help="Subject line of the commit (default: version and counts).")
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=5,
    show_default=True,
    help="Rebuild-and-retry rounds when another run pushed first.",
)
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True, help="Token variable.")
@click.option("--dry-run", is_flag=True, help="Say what would be published; commit nothing.")
@click.option("--result-file", type=click.Path(path_type=Path), help="Also write it as JSON.")
@handle_errors
def publish(config_path, orgs, raw_dir, out_dir, package_path, token_env, result_file, **kw: Any):
    """Commit the changed package and outputs, tag data-v<version>, push; rebuild on a race."""
    from oshs.pipeline import run_build
    from oshs.publish import open_repository, publish_package

    config = resolve_config(config_path, orgs)
    git = open_repository(package_path, token=os.environ.get(token_env) or None)
    options = {key: kw[key] for key in ("message", "remote", "retries", "dry_run")}
    result = publish_package(
        git,
        package_path,
        out_dir,
        rebuild=lambda: run_build(
            config, raw_dir=raw_dir, out_dir=out_dir, package_path=package_path
        ),
        **options,
    )
    if result_file:
        result_file.write_text(result.to_json(), encoding="utf-8")
    click.echo(result.line())


@cli.command()
@click.option("--raw-dir", type=PATH, default=Path(".oshs/raw"), show_default=True,
              help="Folder of the raw snapshots (the newest manifest is read).")  # fmt: skip
@click.option("--package", "package_path", type=PATH, default=Path("datapackage.json"),
              show_default=True, help="Path of the data package descriptor.")  # fmt: skip
@click.option("--result", "result_path", type=PATH,
              help="JSON written by `oshs publish --result-file` (what changed).")  # fmt: skip
@click.option("--summary-file", type=PATH, envvar="GITHUB_STEP_SUMMARY", show_envvar=True,
              help="Markdown file the summary is appended to (default: stdout).")  # fmt: skip
@click.option("--output-file", type=PATH, envvar="GITHUB_OUTPUT", show_envvar=True,
              help="File the Action's outputs are appended to.")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def summary(raw_dir, package_path, result_path, summary_file, output_file, **_: Any) -> None:
    """Write the Action's job summary and outputs (totals, failures, changes, API usage)."""
    from oshs.summary import write_summary

    write_summary(raw_dir, package_path, result_path, summary_file, output_file)


def main() -> None:
    """Entry point of the `oshs` console script."""
    try:
        cli(prog_name="oshs")
    finally:
        # what is still alive is not traversed again at exit: the interpreter's last full
        # collection over pandas', matplotlib's and polars' modules took 0.4 s of every command
        gc.freeze()
