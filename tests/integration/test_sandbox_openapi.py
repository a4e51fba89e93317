"""The sandbox's REST responses validate against GitHub's OpenAPI description (@octokit/openapi).

Responses are fetched over HTTP from a running sandbox and validated with
``openapi_schema_validator.OAS30Validator`` (which honours ``nullable``); ``$ref``s resolve
into the whole description through a ``referencing`` registry.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from conftest import BIG_ORG, SMALL_ORG
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from oshs.sample import load_sample
from oshs.sandbox import Sandbox, rest
from oshs.sandbox.rest import Viewer

DOCUMENT_URI = "urn:github:api.github.com.json"
MEMBER = f"member-of-{BIG_ORG.lower()}"
Validator = Callable[[Any], None]


@pytest.fixture(scope="module")
def schema_validator(openapi_description: dict[str, Any]) -> Callable[[str], OAS30Validator]:
    """``schema_validator(name)``: an OAS30Validator for ``components/schemas/<name>``."""
    resource = Resource.from_contents(openapi_description, default_specification=DRAFT4)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    schemas = openapi_description["components"]["schemas"]

    def make(name: str) -> OAS30Validator:
        assert name in schemas, f"{name} is not in GitHub's OpenAPI description"
        ref = {"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"}
        return OAS30Validator(ref, registry=registry, format_checker=oas30_format_checker)

    return make


def fetch(url: str, token: str | None = None) -> tuple[int, Any]:
    """GET `url` and return (status, parsed JSON body)."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def fetch_ok(url: str, token: str | None = None) -> Any:
    """GET `url`, expecting 200, and return its body."""
    status, body = fetch(url, token)
    assert status == 200, (url, body)
    return body


def check(validator: OAS30Validator, instance: Any) -> None:
    """Assert `instance` is valid, listing every error when it is not."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    messages = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors]
    assert not messages, "\n".join(messages)


@pytest.mark.parametrize("token", [None, MEMBER])
@pytest.mark.parametrize("login", [BIG_ORG, SMALL_ORG.upper()])
def test_organization_full(
    sandbox: Sandbox, schema_validator: Any, login: str, token: str | None
) -> None:
    check(schema_validator("organization-full"), fetch_ok(f"{sandbox.url}/orgs/{login}", token))


@pytest.mark.parametrize("token", [None, MEMBER])
def test_every_minimal_repository(
    sandbox: Sandbox, schema_validator: Any, token: str | None
) -> None:
    validator = schema_validator("minimal-repository")
    items = []
    for org in (BIG_ORG, SMALL_ORG):
        for page in (1, 2, 3):
            items += fetch_ok(f"{sandbox.url}/orgs/{org}/repos?per_page=100&page={page}", token)
    assert len(items) == (250 + 2 if token else 248 + 2)
    assert {item["visibility"] for item in items} == (
        {"public", "private", "internal"} if token else {"public"}
    )
    for item in items:
        check(validator, item)


def test_languages_and_community_profiles(sandbox: Sandbox, schema_validator: Any) -> None:
    languages, community = schema_validator("language"), schema_validator("community-profile")
    names = [f"repo-{n:03d}" for n in (1, 2, 3, 4, 6, 9, 10, 11, 12)] + ["Template.Repo_5"]
    for name in names:  # every licence, language and file pattern of the dataset
        base = f"{sandbox.url}/repos/{BIG_ORG}/{name}"
        check(languages, fetch_ok(f"{base}/languages"))
        check(community, fetch_ok(f"{base}/community/profile"))
    internal = f"{sandbox.url}/repos/{BIG_ORG}/secret-internal/community/profile"
    check(community, fetch_ok(internal, MEMBER))


def test_rate_limit_and_error_bodies(sandbox: Sandbox, schema_validator: Any) -> None:
    for token in (None, "any-token"):
        check(schema_validator("rate-limit-overview"), fetch_ok(f"{sandbox.url}/rate_limit", token))
    status, body = fetch(f"{sandbox.url}/orgs/no-such-org")
    assert status == 404
    check(schema_validator("basic-error"), body)


def test_broken_payloads_are_rejected(sandbox: Sandbox, schema_validator: Any) -> None:
    """Sanity: the validation above can fail."""
    org = fetch_ok(f"{sandbox.url}/orgs/{BIG_ORG}")
    repo = fetch_ok(f"{sandbox.url}/orgs/{BIG_ORG}/repos?per_page=1")[0]
    profile = fetch_ok(f"{sandbox.url}/repos/{BIG_ORG}/repo-012/community/profile")
    broken: list[tuple[str, Any]] = [
        ("organization-full", {k: v for k, v in org.items() if k != "public_repos"}),
        ("organization-full", {**org, "created_at": "yesterday"}),
        ("minimal-repository", {**repo, "private": "no"}),
        ("minimal-repository", {**repo, "owner": {"login": BIG_ORG}}),
        ("minimal-repository", {**repo, "description": 42}),
        ("language", {"Python": "lots"}),
        ("community-profile", {**profile, "health_percentage": "100"}),
    ]
    no_readme = copy.deepcopy(profile)
    del no_readme["files"]["readme"]
    broken.append(("community-profile", no_readme))
    for name, instance in broken:
        with pytest.raises(ValidationError):
            schema_validator(name).validate(instance)


def test_bundled_sample_payloads(schema_validator: Any) -> None:
    """Every payload the sandbox derives from the bundled sample is valid (builders, no HTTP)."""
    viewer, base = Viewer(True, frozenset()), "http://127.0.0.1:1"
    org_v, repo_v = schema_validator("organization-full"), schema_validator("minimal-repository")
    profile_v, language_v = schema_validator("community-profile"), schema_validator("language")
    organisations = load_sample()["organisations"]
    assert sum(len(org["repositories"]) for org in organisations) > 1000
    for org in organisations:
        check(org_v, rest.organization_full(org, base, viewer))
        for repo in org["repositories"]:
            check(repo_v, rest.minimal_repository(org, repo, base))
            check(profile_v, rest.community_profile(org, repo, base))
            check(language_v, rest.languages_body(repo.get("languages")))
