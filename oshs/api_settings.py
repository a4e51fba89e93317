"""How to reach the APIs (`ApiSettings`): the settings alone, without the HTTP clients
(`oshs.collect`), so that a command that does not collect (`oshs build`) never loads them."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class ApiSettings:
    """How to reach the API. The token is never shown in `repr`."""

    api_url: str = DEFAULT_API_URL
    token: str | None = field(default=None, repr=False)
    max_wait: float = 600.0
    api: str = "auto"  # "graphql" | "rest" | "auto": GraphQL whenever there is a token
    enrich: bool = False
    timeout: float = 30.0
    backoff_factor: float = 0.5  # seconds, doubling per retry of a server error
    # PyGithub's default pause between requests, polite to GitHub; the sandbox needs none.
    seconds_between_requests: float = 0.25
    # GitLab groups of the config: the instance (None: the config's `gitlab_url`) and token.
    gitlab_url: str | None = None
    gitlab_token: str | None = field(default=None, repr=False)
