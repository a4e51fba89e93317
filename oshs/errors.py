"""Typed errors raised by the pipeline stages; only the CLI turns them into messages."""

from __future__ import annotations


class OshsError(Exception):
    """Base of every error `oshs` raises on purpose.

    `message` is one line naming what is wrong and what is expected; `hint` an optional
    second line saying what to do. `exit_code` is what the CLI exits with.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[OshsError], tuple[str, str | None]]:
        # pickled whole (the hint too) when raised in a forked process (`oshs.background`)
        return (type(self), (self.message, self.hint))


class ConfigError(OshsError):
    """The configuration (file or options) is invalid: usage error, exit 2."""

    exit_code = 2


class UsageError(OshsError):
    """A command-line option or argument is invalid: exit 2."""

    exit_code = 2


class CollectError(OshsError):
    """Collection from the GitHub API failed."""


class BudgetExhausted(CollectError):
    """The rate limit left cannot pay for the next piece of work within `--max-wait`."""


class OddAnswer(CollectError):
    """An API answer is not what GitHub sends (HTML, malformed JSON, wrong types, a listing
    whose count or pages disagree): evidence of nothing, so nothing is concluded from it."""


class SnapshotError(OshsError):
    """A raw snapshot is missing, unreadable or not in the expected format."""


class PackageError(OshsError):
    """A data package could not be read, written or validated."""


class StateError(PackageError):
    """The previous package (the state) differs from what its descriptor says was published."""


class LockError(OshsError):
    """Another `oshs` process holds the lock of the package or repository for too long."""


class ForkError(OshsError):
    """A process forked to share a build's work died, or sent back what cannot be read."""


class StorageError(OshsError):
    """A file could not be written (disk full, read-only folder, no permission)."""


class SandboxError(OshsError):
    """The GitHub API sandbox could not start or its dataset is invalid."""


class PublishError(OshsError):
    """Committing, tagging or pushing the package failed; nothing published was lost."""


class SampleError(OshsError):
    """The bundled sample was asked for a collection it does not have."""


class ChartError(OshsError):
    """A chart cannot be drawn from the tables given (a bad date, too short a history)."""


class ReportError(OshsError):
    """The report cannot be rendered from what it was given (a link that is not relative)."""


class SummaryError(OshsError):
    """The Action's job summary cannot read one of its inputs (manifest, package, result)."""


class HistoryImportError(OshsError):
    """A predecessor's history cannot be imported (not a git repository or bundle, the file
    missing from its history, a version not in the expected format): usage error, exit 2."""

    exit_code = 2


class SiteError(OshsError):
    """The website cannot be written (its templates or assets are missing)."""
