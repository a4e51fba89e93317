"""Logs on stderr: a progress bar on a terminal, plain lines in CI, Actions annotations.

Messages may carry text from GitHub (an API error, a login), so every line is cleaned by
`oshs.text`: control and bidi characters removed, and under GitHub Actions warnings and errors
become escaped `::warning::`/`::error::` commands while no other line can start a command.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oshs.text import actions_line, printable_lines, workflow_command

LOGGER_NAME = "oshs"


def on_github_actions() -> bool:
    """True when running inside a GitHub Actions job."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


class AnnotationFormatter(logging.Formatter):
    """Formats warnings and errors as GitHub Actions annotations, the rest as plain lines."""

    def format(self, record: logging.LogRecord) -> str:
        """`::warning::message` / `::error::message`, or the message as lines that run nothing."""
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return workflow_command("error", message)
        if record.levelno >= logging.WARNING:
            return workflow_command("warning", message)
        return actions_line(message)


def safe_line(text: str) -> str:
    """`text` cleaned for printing: `actions_line` under GitHub Actions, else `printable_lines`."""
    return actions_line(text) if on_github_actions() else printable_lines(text)


def configure_logging(verbosity: int) -> None:
    """Send `oshs` logs to stderr: -1 quiet (warnings), 0 info, 1+ debug."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(AnnotationFormatter() if on_github_actions() else PlainFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


class PlainFormatter(logging.Formatter):
    """`message` for information, `warning: message` / `error: message` for the rest."""

    def format(self, record: logging.LogRecord) -> str:
        """The message (controls removed), prefixed by its level when it is not information."""
        message = printable_lines(record.getMessage())
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


@contextmanager
def progress(description: str, *, quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """A callback `(item, index, total)` showing progress: a bar on a terminal, else lines."""
    logger = logging.getLogger(LOGGER_NAME)
    if quiet:
        yield lambda item, index, total: None
        return
    if not sys.stderr.isatty():
        yield lambda item, index, total: logger.info(f"{description} {index}/{total}: {item}")
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=None)

        def advance(item: str, index: int, total: int) -> None:
            bar.update(task, total=total, completed=index - 1, description=f"{description} {item}")

        yield advance
        bar.update(task, completed=bar.tasks[0].total or 0)
