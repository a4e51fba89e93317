"""The options, error handling and settings every `oshs` command shares (`oshs.cli` holds the
commands): the only place where an `OshsError` becomes one line on stderr with a hint, and the
exit code (0 success, 1 failure, 2 usage or config error); `--debug` shows a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from oshs.api_settings import DEFAULT_API_URL, ApiSettings
from oshs.cli_checks import check_api_url, unexpected_line
from oshs.config import Config, load_config, select_organisations
from oshs.console import configure_logging, safe_line
from oshs.errors import OshsError, UsageError

PATH = click.Path(path_type=Path)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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
            "--gitlab-url",
            help="GitLab instance of the config's GitLab groups (default: its gitlab_url); "
            "the token, optional, is read from GITLAB_TOKEN.",
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
            click.echo(safe_line(unexpected_line(error)), err=True)
            sys.exit(1)

    return wrapper


def resolve_config(config_path: Path | None, orgs: str | None) -> Config:
    """The config file, with `--orgs` replacing its organisations when given."""
    config = load_config(config_path)
    if orgs is not None:
        config = select_organisations(config, orgs)
    return config


def api_settings(
    api_url: str,
    token_env: str,
    max_wait: float,
    enrich: bool,
    api: str = "auto",
    gitlab_url: str | None = None,
) -> ApiSettings:
    """API settings with the token read from the environment variable `token_env`, and
    GitLab's (optional) from `GITLAB_TOKEN`."""
    if not token_env or "=" in token_env:
        raise UsageError(f"--token-env: {token_env!r} is not an environment variable name")
    token = os.environ.get(token_env) or None
    api_url = check_api_url(api_url)
    gitlab = None if gitlab_url is None else check_api_url(gitlab_url, "--gitlab-url")
    settings = ApiSettings(
        api_url=api_url, token=token, max_wait=max_wait, enrich=enrich, api=api,
        gitlab_url=gitlab, gitlab_token=os.environ.get("GITLAB_TOKEN") or None,
    )  # fmt: skip
    if urlsplit(api_url).hostname in LOOPBACK:  # the pause spares GitHub, not a local sandbox
        settings = replace(settings, seconds_between_requests=0)
    return settings
