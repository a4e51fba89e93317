"""The sandbox's GraphQL endpoint: schema execution, paging, visibility, cost, errors."""

from __future__ import annotations

import json
import urllib.request

import pytest
from conftest import BIG_ORG, make_repository
from github import Auth, Github

from oshs.sandbox import RateLimiter
from oshs.sandbox.graphql_objects import encode_cursor

PAGE = """query($login: String!, $after: String, $first: Int = 100) {
  organization(login: $login) {
    repositories(first: $first, after: $after, privacy: PUBLIC) {
      totalCount pageInfo { hasNextPage endCursor } nodes { name visibility }
    }
  }
}"""


def post(sandbox, query, variables=None, token="t", path="/graphql"):
    """POST a GraphQL request; returns (status, headers, body)."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(sandbox.url + path, body, method="POST")
    if token:
        request.add_header("Authorization", f"bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def gq(make_sandbox):
    sandbox = make_sandbox()
    return sandbox


def test_cursor_paging_lists_every_public_repository_once(gq):
    names, after, pages = [], None, 0
    while True:
        status, _, body = post(gq, PAGE, {"login": BIG_ORG.lower(), "after": after})
        connection = body["data"]["organization"]["repositories"]
        names += [node["name"] for node in connection["nodes"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert (status, pages, connection["totalCount"]) == (200, 3, 248)
    assert len(names) == len(set(names)) == 248
    assert "secret-private" not in names and "secret-internal" not in names


def test_members_see_private_and_internal_without_the_privacy_filter(gq):
    query = '{ organization(login: "NHSSandbox") { repositories(first: 1) { totalCount } } }'
    _, _, public = post(gq, query)
    _, _, member = post(gq, query, token="member-of-nhssandbox")
    assert public["data"]["organization"]["repositories"]["totalCount"] == 248
    assert member["data"]["organization"]["repositories"]["totalCount"] == 250


def test_is_fork_filter_and_ordering(gq):
    query = """{ organization(login: "small-trust") {
      forks: repositories(first: 5, isFork: true) { nodes { name isFork } }
      sources: repositories(first: 5, isFork: false, orderBy: {field: NAME, direction: DESC}) {
        nodes { name } } } }"""
    _, _, body = post(gq, query)
    org = body["data"]["organization"]
    assert org["forks"]["nodes"] == [{"name": "fork-of-tools", "isFork": True}]
    assert org["sources"]["nodes"] == [{"name": "Tools"}]


def test_repository_fields_come_from_the_dataset(gq):
    query = """{ organization(login: "NHSSandbox") { repositories(first: 1,
        orderBy: {field: NAME, direction: ASC}) { nodes {
      databaseId nameWithOwner primaryLanguage { name } diskUsage stargazerCount forkCount
      languages(first: 10) { totalSize edges { size node { name } } }
      repositoryTopics(first: 10) { nodes { topic { name } } }
      licenseInfo { spdxId } issues(states: [OPEN]) { totalCount }
      pullRequests(states: [OPEN, MERGED]) { totalCount } defaultBranchRef { name }
      isSecurityPolicyEnabled codeOfConduct { key } contributingGuidelines { url }
      object(expression: "HEAD:") { ... on Tree { entries { name type } } } } } } }"""
    _, _, body = post(gq, query)
    (node,) = body["data"]["organization"]["repositories"]["nodes"]
    repo = make_repository(1)  # repo-001 sorts first by name
    assert node == {
        "databaseId": 600001,
        "nameWithOwner": "NHSSandbox/repo-001",
        "primaryLanguage": {"name": "R"},
        "diskUsage": 10,
        "stargazerCount": 1,
        "forkCount": 1,
        "languages": {"totalSize": 900, "edges": [{"size": 900, "node": {"name": "R"}}]},
        "repositoryTopics": {"nodes": [{"topic": {"name": "nhs"}}, {"topic": {"name": "topic-1"}}]},
        "licenseInfo": {"spdxId": "NOASSERTION"},
        "issues": {"totalCount": repo["open_issues"]},
        "pullRequests": {"totalCount": repo["open_pull_requests"]},
        "defaultBranchRef": {"name": "main"},
        "isSecurityPolicyEnabled": False,
        "codeOfConduct": None,
        "contributingGuidelines": None,
        "object": {"entries": [{"name": "readme.rst", "type": "blob"}]},
    }


def test_cost_follows_githubs_formula_and_is_charged_to_graphql(gq):
    query = """{ organization(login: "NHSSandbox") { repositories(first: 100) { nodes {
      languages(first: 100) { totalSize } issues(states: OPEN) { totalCount }
      pullRequests(states: OPEN) { totalCount } repositoryTopics(first: 20) { totalCount } } } }
      rateLimit { cost limit remaining used nodeCount } }"""
    _, headers, body = post(gq, query)
    # 1 + 4 x 100 requests = 401 → 4 points; nodes 100 + 100 x 100 + 100 x 20
    assert body["data"]["rateLimit"] == {
        "cost": 4, "limit": 5000, "remaining": 4996, "used": 4, "nodeCount": 12100,
    }  # fmt: skip
    assert (headers["X-RateLimit-Resource"], headers["X-RateLimit-Used"]) == ("graphql", "4")
    assert headers["X-RateLimit-Remaining"] == "4996"
    assert [(r.resource, r.cost) for r in gq.requests] == [("graphql", 4)]
    _, _, small = post(gq, "{ rateLimit { cost remaining } }")
    assert small["data"]["rateLimit"] == {"cost": 1, "remaining": 4995}
    _, _, dry = post(gq, "{ rateLimit(dryRun: true) { cost remaining } }")
    assert dry["data"]["rateLimit"] == {"cost": 1, "remaining": 4995}


def test_rate_limited_when_the_budget_is_spent(make_sandbox):
    sandbox = make_sandbox(rate_limiter=RateLimiter({"graphql": 5}))
    query = '{ organization(login: "NHSSandbox") { repositories(first: 100) { nodes {'
    query += " languages(first: 100) { totalSize } issues { totalCount } } } } }"
    assert post(sandbox, query)[2]["data"]["organization"] is not None  # 201 → 2 points
    assert post(sandbox, query)[2]["data"]["organization"] is not None  # 4 used
    status, headers, body = post(sandbox, query)
    assert status == 200 and headers["X-RateLimit-Remaining"] == "1"
    assert body["errors"][0]["type"] == "RATE_LIMITED"
    assert body["errors"][0]["message"].startswith("API rate limit already exceeded for user ID")


@pytest.mark.parametrize(
    ("query", "kind", "message"),
    [
        (
            '{ organization(login: "NHSSandbox") { repositories(first: 101) { totalCount } } }',
            "EXCESSIVE_PAGINATION",
            "Requesting 101 records on the `repositories` connection exceeds the `first` limit "
            "of 100 records.",
        ),
        (
            '{ organization(login: "NHSSandbox") { repositories { nodes { name } } } }',
            "MISSING_PAGINATION_BOUNDARIES",
            "You must provide a `first` or `last` value to properly paginate the "
            "`repositories` connection.",
        ),
    ],
)
def test_pagination_limits(gq, query, kind, message):
    status, _, body = post(gq, query)
    assert status == 200 and "data" not in body
    assert body["errors"] == [
        {"type": kind, "message": message, "path": ["organization", "repositories"],
         "locations": [{"line": 1, "column": 39}]}
    ]  # fmt: skip
    assert gq.requests[-1].cost == 0


def test_not_found_in_githubs_shape(gq):
    _, _, body = post(gq, '{ organization(login: "x") { login } }')
    assert body == {
        "data": {"organization": None},
        "errors": [
            {
                "type": "NOT_FOUND",
                "path": ["organization"],
                "locations": [{"line": 1, "column": 3}],
                "message": "Could not resolve to an Organization with the login of 'x'.",
            }
        ],
    }


def test_invalid_queries_cursors_and_authentication(gq):
    _, _, body = post(gq, "{ organization(login: 1) { nope } }")
    assert [e["message"] for e in body["errors"]] == [
        "String cannot represent a non string value: 1",
        "Cannot query field 'nope' on type 'Organization'. Did you mean 'name'?",
    ]
    _, _, body = post(gq, PAGE, {"login": BIG_ORG, "after": "bad"})
    assert body["errors"][0]["type"] == "INVALID_CURSOR_ARGUMENTS"
    _, _, body = post(gq, PAGE, {"login": BIG_ORG, "after": encode_cursor(["9999", 0])})
    assert body["data"]["organization"]["repositories"]["nodes"] == []
    status, _, body = post(gq, "{ rateLimit { cost } }", token=None)
    assert status == 401 and body["message"] == "This endpoint requires you to be authenticated."


@pytest.mark.parametrize("prefix", ["", "/api/v3"])
def test_the_sandbox_serves_graphql_where_pygithub_sends_it(make_sandbox, prefix):
    sandbox = make_sandbox(prefix=prefix)
    github = Github(base_url=sandbox.url, auth=Auth.Token("t"))
    _, data = github.requester.graphql_query("{ rateLimit { cost } }", {})
    assert data == {"data": {"rateLimit": {"cost": 1}}}


def test_graphql_through_pygithub_on_ghes(make_sandbox):
    sandbox = make_sandbox(prefix="/api/v3")
    github = Github(auth=Auth.Token("t"), base_url=sandbox.url)
    _, body = github.requester.graphql_query("{ rateLimit { cost } }", {})
    assert body["data"]["rateLimit"]["cost"] == 1
