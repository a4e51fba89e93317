"""The `oshs` command line: a thin click layer over `oshs.pipeline`.

Stages raise `OshsError` subclasses; only `handle_errors` turns them into one line on stderr with
a hint, and the exit code (0 success, 1 failure, 2 usage or config error). `--debug` shows a
traceback. Text that may come from GitHub is printed through `oshs.console.safe_line`.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from oshs import __version__
from oshs.collect import DEFAULT_API_URL, ApiSettings
from oshs.config import Config, load_config, select_organisations
from oshs.console import configure_logging, progress, safe_line
from oshs.errors import OshsError, UsageError

log = logging.getLogger("oshs.cli")
PATH = click.Path(path_type=Path)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command takes (SPEC §4)."""
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            help="YAML config (default: ./oshs.yaml, else the bundled NHS list).",
        ),
        click.option("--orgs", help="Comma-separated logins that replace the config's list."),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            default=Path("outputs"),
            show_default=True,
            help="Folder of the published data, charts and report.",
        ),
        click.option(
            "--package",
            "package_path",
            type=click.Path(path_type=Path),
            default=Path("datapackage.json"),
            show_default=True,
            help="Path of the data package descriptor.",
        ),
        click.option(
            "--raw-dir",
            type=click.Path(path_type=Path),
            default=Path(".oshs/raw"),
            show_default=True,
            help="Folder of the raw snapshots.",
        ),
        click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable)."),
        click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr."),
        click.option("--debug", is_flag=True, help="Show a traceback when something fails."),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def api_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the commands that talk to the GitHub API."""
    options = [
        click.option(
            "--api-url",
            envvar="GITHUB_API_URL",
            default=DEFAULT_API_URL,
            show_default=True,
            help="GitHub API base URL (env GITHUB_API_URL).",
        ),
        click.option(
            "--token-env",
            default="GITHUB_TOKEN",
            show_default=True,
            help="Name of the environment variable that holds the token.",
        ),
        click.option(
            "--max-wait",
            type=click.FloatRange(min=0),
            default=600.0,
            show_default=True,
            help="Most seconds to spend waiting on retries and limits.",
        ),
        click.option(
            "--api",
            type=click.Choice(["auto", "graphql", "rest"]),
            default="auto",
            show_default=True,
            help="API to collect with: auto is GraphQL with a token, REST without.",
        ),
        click.option(
            "--enrich",
            is_flag=True,
            help="Also fetch languages and community files per repository (REST).",
        ),
        click.option(
            "--collected-at",
            type=click.DateTime(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]),
            help="Record the collection under this UTC time instead of now (replays).",
        ),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command: set up logging, turn `OshsError` into one line and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        configure_logging(-1 if kwargs.get("quiet") else kwargs.get("verbose", 0))
        try:
            return command(*args, **kwargs)
        except OshsError as error:
            if debug:
                raise
            click.echo(safe_line(f"error: {error.message}"), err=True)
            if error.hint:
                click.echo(safe_line(f"hint: {error.hint}"), err=True)
            sys.exit(error.exit_code)
        except Exception as error:  # the last line of defence: no traceback without --debug
            if debug:
                raise
            click.echo(
                f"error: unexpected {type(error).__name__} (run with --debug for a traceback)",
                err=True,
            )
            sys.exit(1)

    return wrapper


def resolve_config(config_path: Path | None, orgs: str | None) -> Config:
    """The config file, with `--orgs` replacing its organisations when given."""
    config = load_config(config_path)
    if orgs is not None:
        config = select_organisations(config, orgs)
    return config


def api_settings(
    api_url: str, token_env: str, max_wait: float, enrich: bool, api: str = "auto"
) -> ApiSettings:
    """API settings with the token read from the environment variable `token_env`."""
    if not token_env or "=" in token_env:
        raise UsageError(f"--token-env: {token_env!r} is not an environment variable name")
    token = os.environ.get(token_env) or None
    return ApiSettings(api_url=api_url, token=token, max_wait=max_wait, enrich=enrich, api=api)


def collection_time(collected_at: datetime | None) -> datetime:
    """The given collection time (read as UTC), else now, to the second."""
    moment = collected_at.replace(tzinfo=UTC) if collected_at else datetime.now(UTC)
    return moment.replace(microsecond=0)


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
    api_url,
    token_env,
    max_wait,
    enrich,
    api,
    collected_at,
    shard,
    quiet,
    **_: Any,
) -> None:
    """Collect the organisations' public repositories from the API into raw snapshots."""
    from oshs.pipeline import run_collect
    from oshs.shards import parse_shard, select_shard

    config = resolve_config(config_path, orgs)
    part = parse_shard(shard) if shard is not None else None
    if part:
        config = select_shard(config, *part)
    settings = api_settings(api_url, token_env, max_wait, enrich, api)
    with progress("collecting", quiet=quiet) as on_progress:
        report = run_collect(
            config,
            settings,
            raw_dir=raw_dir,
            collected_at=collection_time(collected_at),
            on_progress=on_progress,
            shard=part,
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
    **_: Any,
) -> None:
    """Collect, build and validate: what the Action calls."""
    from oshs.pipeline import run_all

    config = resolve_config(config_path, orgs)
    settings = api_settings(api_url, token_env, max_wait, enrich, api)
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
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def validate(path: Path, quiet: bool, **_: Any) -> None:
    """Validate a data package with frictionless; exit 1 when it is invalid."""
    from oshs.package import format_report, validate_package

    report = validate_package(path)
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


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@handle_errors
def sandbox(port: int, **_: Any) -> None:
    """Serve the GitHub API sandbox with the bundled sample until interrupted."""
    from oshs.sample import load_sample
    from oshs.sandbox import Sandbox

    with Sandbox(load_sample(), port=port) as server:
        click.echo(server.url, nl=True)
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
    default=3,
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
    cli(prog_name="oshs")
