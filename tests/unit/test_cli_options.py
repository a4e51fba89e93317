"""The API settings the CLI makes from its options."""

from __future__ import annotations

import pytest

from oshs.cli_options import api_settings


@pytest.mark.parametrize(
    ("url", "pause"),
    [
        ("https://api.github.com", 0.25),
        ("https://github.example.org/api/v3", 0.25),
        ("http://127.0.0.1:8080", 0),
        ("http://localhost:8080/api/v3", 0),
    ],
)
def test_requests_pause_for_github_but_not_for_a_sandbox_on_this_machine(url, pause):
    assert api_settings(url, "NO_SUCH_TOKEN_VARIABLE", 60, False).seconds_between_requests == pause
