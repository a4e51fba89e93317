"""GraphQL collection through PyGithub against the sandbox, checked against REST on one dataset."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import BIG_ORG, SMALL_ORG

from oshs.collect.api import ApiClient, ApiSettings, Budget, connect
from oshs.collect.graphql import QUERY_SHA256, collect_organisation_graphql, page_repositories
from oshs.collect.rest import collect_organisation_rest
from oshs.config import Organisation
from oshs.history import advance
from oshs.normalise import normalise_snapshot
from oshs.sample import load_sample

COLLECTED_AT = "2025-10-06T06:00:00Z"
# Filled by GraphQL only (REST leaves them None without enrichment, or always for the last two).
GRAPHQL_ONLY = ["open_issues", "open_pull_requests", "has_security_policy", "has_citation"]
REST_ENRICHED = ["has_readme", "has_license_file", "has_contributing", "has_code_of_conduct"]


def client_for(sandbox, token: str = "t") -> ApiClient:
    """A client through PyGithub; GraphQL queries are POSTs, which PyGithub spaces by its
    `seconds_between_writes` (1 s by default, not configurable through `ApiSettings` yet)."""
    settings = ApiSettings(api_url=sandbox.url, token=token, seconds_between_requests=0)
    return ApiClient(connect(settings), settings.api_url)


def graphql_sandbox(make_sandbox, dataset=None, **options):
    sandbox = make_sandbox(dataset, **options)
    return sandbox


def consistent_licences(dataset):
    """GitHub reports a licence ("other" at least) whenever a LICENSE file is in the root; the
    test dataset has a few repositories with the file but no licence, which the two sandbox
    APIs read differently (REST's community profile then reports no licence file)."""
    for org in dataset["organisations"]:
        for repo in org["repositories"]:
            if repo["license"] is None and "LICENSE" in repo["files"]:
                repo["license"] = {"key": "other", "name": "Other", "spdx_id": "NOASSERTION"}
    return dataset


def tables_of(docs, include_forks=True):
    collections = [normalise_snapshot(doc) for doc in docs]
    on = max(c.collected_on for c in collections)
    return advance(
        None, collections, collected_on=on, include_forks=include_forks, include_archived=True
    )


def both_apis(sandbox, *, enrich: bool):
    rest_client, graphql_client = client_for(sandbox), client_for(sandbox)
    rest, graphql = [], []
    for login in (BIG_ORG, SMALL_ORG):
        organisation = Organisation(login=login)
        doc, _ = collect_organisation_rest(
            rest_client, organisation, collected_at=COLLECTED_AT, enrich=enrich, budget=Budget(0)
        )
        rest.append(doc)
        doc, _ = collect_organisation_graphql(
            graphql_client, organisation, collected_at=COLLECTED_AT, include_forks=True
        )
        graphql.append(doc)
    return tables_of(rest), tables_of(graphql), graphql_client


@pytest.mark.parametrize("enrich", [False, True])
def test_graphql_and_rest_give_the_same_tables(make_sandbox, sandbox_dataset, enrich):
    sandbox = graphql_sandbox(make_sandbox, consistent_licences(sandbox_dataset))
    rest, graphql, client = both_apis(sandbox, enrich=enrich)
    for name in ("organisations", "topics", "timeline"):
        pd.testing.assert_frame_equal(rest[name], graphql[name], obj=name)
    shared = [c for c in rest["repositories"].columns if c not in GRAPHQL_ONLY + REST_ENRICHED]
    pd.testing.assert_frame_equal(rest["repositories"][shared], graphql["repositories"][shared])
    assert rest["repositories"][GRAPHQL_ONLY].isna().all().all()
    if enrich:
        pd.testing.assert_frame_equal(rest["languages"], graphql["languages"])
        enriched = ["id", *REST_ENRICHED]
        pd.testing.assert_frame_equal(
            rest["repositories"][enriched], graphql["repositories"][enriched]
        )
    else:
        assert rest["languages"].empty and not graphql["languages"].empty
    assert len(graphql["repositories"]) == 248 + 2
    assert client.requests == 3 + 1


def test_graphql_values_are_known_and_exact(make_sandbox, sandbox_dataset):
    sandbox = graphql_sandbox(make_sandbox, sandbox_dataset)
    doc, dropped = collect_organisation_graphql(
        client_for(sandbox), Organisation(login=BIG_ORG), collected_at=COLLECTED_AT,
        include_forks=False,
    )  # fmt: skip
    assert dropped == 0
    records = {r["name"]: r for r in normalise_snapshot(doc).repositories}
    assert "repo-003" not in records and len(records) == 247  # the fork is not asked for
    repo = records["repo-012"]  # make_repository(12): 0 open issues, 0 open PRs, README only
    assert (repo["open_issues"], repo["open_pull_requests"]) == (0, 0)
    repo = records["repo-011"]
    assert (repo["open_issues"], repo["open_pull_requests"]) == (3, 2)
    assert repo["languages"] == {"CSS": 70, "JavaScript": 70}
    assert records["repo-010"]["languages"] == {}
    assert records["repo-013"]["languages"] == {"R": 900}
    flags = {k: v for k, v in records["repo-015"].items() if k.startswith("has_")}
    assert flags == {
        "has_issues": True,
        "has_wiki": False,
        "has_readme": True,
        "has_license_file": True,
        "has_contributing": True,
        "has_code_of_conduct": True,
        "has_security_policy": False,
        "has_citation": False,
    }
    assert doc["api"] == "graphql" and doc["pages"][0]["query"] == QUERY_SHA256
    assert doc["pages"][0]["url"] == f"{sandbox.url}/graphql"
    assert [len(page_repositories(page)) for page in doc["pages"]] == [100, 100, 47]


def test_private_and_internal_nodes_are_never_written(make_sandbox, sandbox_dataset):
    sandbox = graphql_sandbox(make_sandbox, sandbox_dataset)
    member = client_for(sandbox, token=f"member-of-{BIG_ORG.lower()}")
    doc, dropped = collect_organisation_graphql(
        member, Organisation(login=BIG_ORG), collected_at=COLLECTED_AT, include_forks=True
    )
    names = {node["name"] for page in doc["pages"] for node in page_repositories(page)}
    assert dropped == 0  # privacy: PUBLIC leaves them out in the query
    assert not names & {"secret-private", "secret-internal"} and len(names) == 248
    assert "secret" not in repr(doc)


def test_graphql_cost_of_the_bundled_sample(make_sandbox):
    dataset = load_sample()
    sandbox = graphql_sandbox(make_sandbox, dataset)
    client = client_for(sandbox)
    floor = 0
    for org in dataset["organisations"]:
        public = [r for r in org["repositories"] if r.get("visibility", "public") == "public"]
        floor += max(1, math.ceil(sum(1 for r in public if not r.get("fork")) / 100))
        collect_organisation_graphql(
            client, Organisation(login=org["login"]), collected_at=COLLECTED_AT,
            include_forks=False,
        )  # fmt: skip
    log = [entry for entry in sandbox.requests if entry.resource == "graphql"]
    assert len(dataset["organisations"]) == 31
    assert len(log) == client.requests <= 1.1 * floor
    assert {entry.status for entry in log} == {200}
    assert client.rate_limit["cost"] == sum(entry.cost for entry in log) == 4 * len(log)
