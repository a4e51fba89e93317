"""Answers that are not what GitHub sends are evidence of nothing: each check raises `OddAnswer`.

An HTML page (PyGithub gives `{"data": "<html>…"}` for a body that is not JSON), a JSON value of
the wrong shape or type, `organization: null`, a listing whose count disagrees with the
organisation's own count: the request (or the whole listing) is asked again, and if it stays
odd the organisation fails and is carried forward as stale. Nothing is ever marked removed on
the strength of an odd answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from oshs.errors import OddAnswer

Check = Callable[[Any], None]


def kind_of(value: Any) -> str:
    """What a JSON value is, for messages (`an HTML or text page` for PyGithub's non-JSON)."""
    if (
        isinstance(value, dict)
        and isinstance(value.get("data"), str)
        and set(value)
        <= {
            "data",
            "url",
        }
    ):
        return "an HTML or text page"
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "an empty answer"
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a number")


def odd(what: str, value: Any, expected: str) -> OddAnswer:
    """`OddAnswer("<what>: expected <expected>, got <kind>")`."""
    return OddAnswer(f"{what}: expected {expected}, got {kind_of(value)}")


def require(
    value: Any, key: str, kinds: tuple[type, ...], what: str, nullable: bool = False
) -> Any:
    """`value[key]`, which must be one of `kinds` (or None when `nullable`), else `OddAnswer`."""
    item = value.get(key) if isinstance(value, dict) else None
    if item is None and nullable:
        return None
    if (isinstance(item, bool) and bool not in kinds) or not isinstance(item, kinds):
        names = " or ".join("an integer" if kind is int else kind.__name__ for kind in kinds)
        raise odd(f"{what} '{key}'", item, names + (" or null" if nullable else ""))
    return item


def rest_organisation_check(login: str) -> Check:
    """The check of `GET /orgs/{login}`: an organisation object, the one asked for."""

    def check(body: Any) -> None:
        what = f"GET /orgs/{login}"
        if not isinstance(body, dict) or kind_of(body) != "an object":
            raise odd(what, body, "an organisation object")
        found = require(body, "login", (str,), what)
        if found.lower() != login.lower():
            raise OddAnswer(f"{what}: the answer is organisation {found!r}, not {login!r}")
        require(body, "id", (int,), what)
        if require(body, "public_repos", (int,), what) < 0:
            raise OddAnswer(f"{what}: 'public_repos' is negative")
        for key in ("name", "description", "blog", "location", "email", "created_at"):
            require(body, key, (str,), what, nullable=True)

    return check


def object_check(what: str) -> Check:
    """The check of an answer that must be a JSON object (languages, community profile)."""

    def check(body: Any) -> None:
        if not isinstance(body, dict) or kind_of(body) != "an object":
            raise odd(what, body, "an object")

    return check


def rest_page_check(body: Any) -> None:
    """The check of one page of `GET /orgs/{login}/repos`: a list of repository objects."""
    what = "repository listing"
    if not isinstance(body, list):
        raise odd(what, body, "a list of repositories")
    for number, item in enumerate(body, start=1):
        where = f"{what}, item {number}"
        if not isinstance(item, dict):
            raise odd(where, item, "a repository object")
        require(item, "id", (int,), where)
        require(item, "name", (str,), where)
        require(item, "full_name", (str,), where)
        require(item, "private", (bool,), where)


def graphql_check(response: Any) -> None:
    """The check of one page of the organisation query: `data.organization` with its
    repositories connection (`totalCount`, `pageInfo`, `nodes`) of the expected types."""
    if not isinstance(response, dict) or kind_of(response) != "an object":
        raise odd("GraphQL answer", response, "a JSON object with 'data'")
    data = response.get("data")
    if not isinstance(data, dict):
        raise odd("GraphQL answer 'data'", data, "an object")
    organisation = data.get("organization")
    if organisation is None:
        raise OddAnswer("GraphQL answer: organization is null (and GitHub gave no error)")
    if not isinstance(organisation, dict):
        raise odd("GraphQL 'organization'", organisation, "an object")
    require(organisation, "login", (str,), "GraphQL organization")
    require(organisation.get("publicRepositories"), "totalCount", (int,), "publicRepositories")
    connection = require(organisation, "repositories", (dict,), "GraphQL organization")
    require(connection, "totalCount", (int,), "repositories")
    info = require(connection, "pageInfo", (dict,), "repositories")
    require(info, "hasNextPage", (bool,), "pageInfo")
    require(info, "endCursor", (str,), "pageInfo", nullable=True)
    nodes = require(connection, "nodes", (list,), "repositories")
    for number, node in enumerate(nodes, start=1):
        where = f"repositories node {number}"
        if not isinstance(node, dict):
            raise odd(where, node, "a repository object")
        require(node, "databaseId", (int,), where)
        require(node, "nameWithOwner", (str,), where)
        require(node, "isPrivate", (bool,), where)


def count_problem(login: str, counted: int, expected: int, source: str) -> str | None:
    """None when a listing holds as many repositories as the organisation says, else why not."""
    if counted == expected:
        return None
    return (
        f"the listing of {login} holds {counted} repositories but {source} says {expected}: "
        "incomplete or shifted pages"
    )


def listed_ids(pages: Iterable[Iterable[dict[str, Any]]]) -> set[int]:
    """The repository ids of a listing's pages (each a list of objects with an int `id`)."""
    return {item["id"] for page in pages for item in page}
