"""Tables: filtering, explosion of languages and topics, timeline, deterministic CSV bytes."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pandas as pd

from oshs.history import advance
from oshs.normalise import OrganisationCollection
from oshs.schema import TABLES
from oshs.tables import repositories_table, sorted_positions, to_csv_bytes


def org(login: str, collected_on: str = "2025-10-06") -> dict[str, Any]:
    return {
        "login": login,
        "name": login.upper(),
        "id": len(login),
        "description": None,
        "html_url": f"https://github.com/{login}",
        "website": None,
        "location": None,
        "created_at": "2014-03-05T10:00:00Z",
        "is_verified": True,
        "public_repositories": 3,
        "collected_on": collected_on,
    }


def repo(repo_id: int, organisation: str = "a", created: str = "2020-01-01", **fields: Any):
    record = {
        "id": repo_id,
        "organisation": organisation,
        "name": f"r{repo_id}",
        "full_name": f"{organisation}/r{repo_id}",
        "description": None,
        "html_url": f"https://github.com/{organisation}/r{repo_id}",
        "homepage": None,
        "created_at": f"{created}T12:00:00Z",
        "updated_at": None,
        "pushed_at": None,
        "language": "Python",
        "license": "MIT",
        "license_name": "MIT License",
        "topics": [],
        "stars": 1,
        "forks": 0,
        "open_issues": None,
        "open_pull_requests": None,
        "size_kb": 5,
        "default_branch": "main",
        "fork": False,
        "archived": False,
        "is_template": None,
        "has_issues": True,
        "has_wiki": False,
        "has_readme": None,
        "has_license_file": None,
        "has_contributing": None,
        "has_code_of_conduct": None,
        "has_security_policy": None,
        "has_citation": None,
        "languages": None,
    }
    record.update(fields)
    return record


def collection(login: str, repositories: list[dict], on: str = "2025-10-06"):
    return OrganisationCollection(org(login, on), repositories, on, "rest")


SNAPSHOT_TABLES = ("organisations", "repositories", "languages", "topics", "timeline")


def build(*collections: OrganisationCollection, forks=False, archived=True):
    """The snapshot tables of a first build (no previous package), as `oshs build` makes them."""
    on = max(c.collected_on for c in collections)
    tables = advance(
        None, collections, collected_on=on, include_forks=forks, include_archived=archived
    )
    return {name: tables[name] for name in SNAPSHOT_TABLES}


def test_columns_dtypes_and_whole_row():
    tables = build(collection("a", [repo(2, topics=["x"]), repo(1)]))
    assert list(tables) == ["organisations", "repositories", "languages", "topics", "timeline"]
    for name, frame in tables.items():  # the history tables come from oshs.history
        assert list(frame.columns) == TABLES[name].columns
    repositories = tables["repositories"]
    assert repositories["id"].tolist() == ["1", "2"]  # the key is text (gitlab:<id> on GitLab)
    assert repositories["platform"].tolist() == ["github", "github"]
    assert str(repositories["stars"].dtype) == "Int64"
    assert str(repositories["fork"].dtype) == "boolean"
    assert str(tables["languages"]["share"].dtype) == "float64"
    assert isinstance(repositories["name"].dtype, pd.StringDtype)
    row = repositories.iloc[1].to_dict()
    assert row["topics"] == "x"
    assert (row["first_seen"], row["last_seen"], row["removed"]) == ("2025-10-06",) * 2 + (False,)
    assert tables["organisations"].iloc[0].to_dict()["stale"] is False


def test_fork_and_archived_filtering():
    repos = [repo(1), repo(2, fork=True), repo(3, archived=True), repo(4, fork=None)]
    ids = lambda t: t["repositories"]["id"].astype(int).tolist()  # noqa: E731
    assert ids(build(collection("a", repos))) == [1, 3, 4]
    assert ids(build(collection("a", repos), forks=True, archived=False)) == [1, 2, 4]
    assert ids(build(collection("a", repos), forks=False, archived=False)) == [1, 4]
    timeline = build(collection("a", repos), forks=False, archived=False)["timeline"]
    assert timeline["cumulative_repositories"].tolist() == [2]


def test_languages_share_and_topics_explode():
    repos = [
        repo(1, languages={"Python": 300, "HTML": 100}, topics=["nhs", "api"]),
        repo(2, languages={}, topics=["nhs"]),
        repo(3, languages=None),
        repo(4, fork=True, languages={"C": 1}, topics=["fork"]),
    ]
    tables = build(collection("a", repos))
    assert tables["languages"].to_dict("records") == [
        {
            "repository_id": "1",
            "full_name": "a/r1",
            "language": "HTML",
            "bytes": 100,
            "share": 0.25,
        },
        {
            "repository_id": "1",
            "full_name": "a/r1",
            "language": "Python",
            "bytes": 300,
            "share": 0.75,
        },
    ]
    assert tables["topics"].to_dict("records") == [
        {"repository_id": "1", "full_name": "a/r1", "topic": "api"},
        {"repository_id": "1", "full_name": "a/r1", "topic": "nhs"},
        {"repository_id": "2", "full_name": "a/r2", "topic": "nhs"},
    ]
    assert tables["repositories"]["topics"].tolist()[:2] == ["api;nhs", "nhs"]


def test_timeline_cumulative_ties_and_none_licence():
    repos = [
        repo(1, created="2020-01-01", language="Python", license=None),
        repo(2, created="2020-01-01", language="R", license="MIT"),
        repo(3, created="2020-01-05", language=None, license=None),
        repo(4, created="2020-01-09", language="R", license="Apache-2.0"),
        repo(5, "b", created="2019-06-01", language=None, license="MIT"),
    ]
    rows = build(collection("a", repos), collection("b", [repos.pop()]))["timeline"]
    assert rows.astype(object).where(rows.notna(), None).to_dict("records") == [
        {"date": "2019-06-01", "organisation": "b", "new_repositories": 1,
         "cumulative_repositories": 1, "top_language": None, "top_license": "MIT"},
        # Python and R tie at one each: alphabetical; MIT and none tie: "MIT" < "none"
        {"date": "2020-01-01", "organisation": "a", "new_repositories": 2,
         "cumulative_repositories": 2, "top_language": "Python", "top_license": "MIT"},
        # a repository without a language does not count; "none" now has two
        {"date": "2020-01-05", "organisation": "a", "new_repositories": 1,
         "cumulative_repositories": 3, "top_language": "Python", "top_license": "none"},
        {"date": "2020-01-09", "organisation": "a", "new_repositories": 1,
         "cumulative_repositories": 4, "top_language": "R", "top_license": "none"},
    ]  # fmt: skip


def naive_mode(values: list[str]) -> str | None:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v.casefold(), v))


def test_timeline_matches_naive_computation_on_random_data():
    rng = random.Random(7)
    languages = ["Python", "python", "R", "C#", None, "JavaScript"]
    licenses = ["MIT", "Apache-2.0", None, "NOASSERTION"]
    repos = [
        repo(
            i,
            rng.choice(["a", "b", "c"]),
            created=f"2020-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            language=rng.choice(languages),
            license=rng.choice(licenses),
        )
        for i in range(1, 400)
    ]
    groups = [
        collection(login, [r for r in repos if r["organisation"] == login]) for login in "abc"
    ]
    timeline = build(*groups)["timeline"]
    expected = []
    for login in "abc":
        mine = sorted(
            (r for r in repos if r["organisation"] == login), key=lambda r: r["created_at"]
        )
        for date in sorted({r["created_at"][:10] for r in mine}):
            upto = [r for r in mine if r["created_at"][:10] <= date]
            expected.append(
                (date, login, sum(r["created_at"][:10] == date for r in mine), len(upto),
                 naive_mode([r["language"] for r in upto]),
                 naive_mode([r["license"] or "none" for r in upto]))
            )  # fmt: skip
    expected.sort()
    got = [
        tuple(None if pd.isna(v) else v for v in row) for row in timeline.itertuples(index=False)
    ]
    assert got == expected


def test_latest_collection_per_login_and_duplicate_ids():
    old = collection("a", [repo(1, stars=1)], on="2025-10-01")
    new = collection("a", [repo(1, stars=9), repo(2)], on="2025-10-06")
    tables = build(new, old)
    assert tables["repositories"]["stars"].tolist() == [9, 1]
    assert tables["organisations"]["collected_on"].tolist() == ["2025-10-06"]


def test_empty_collection_gives_empty_typed_tables():
    tables = build(collection("a", []))
    assert len(tables["repositories"]) == 0 and len(tables["timeline"]) == 0
    assert to_csv_bytes(tables["languages"]) == b"repository_id,full_name,language,bytes,share\n"


def test_csv_bytes_are_deterministic_and_conventional():
    frame = pd.DataFrame(
        {
            "id": pd.array([1, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "share": [1 / 3, float("nan")],
            "text": pd.array(
                ["=SUM(A1)\r\nnext", None], dtype=pd.StringDtype(na_value=float("nan"))
            ),
            "quoted": ["a,b", 'say "hi"'],
        }
    )
    expected = (
        b'id,flag,share,text,quoted\n1,true,0.333333,"=SUM(A1)\nnext","a,b"\n,,,,"say ""hi"""\n'
    )
    assert to_csv_bytes(frame) == expected
    assert to_csv_bytes(frame.copy()) == expected
    tables = build(collection("a", [repo(1, archived=True, description="é ü")]))
    data = to_csv_bytes(tables["repositories"])
    assert b"\r" not in data and "é ü".encode() in data
    assert data.split(b"\n")[1].endswith(
        b",false,true,,true,false,,,,,,,2025-10-06,2025-10-06,false"
    )


def test_repository_keys_sort_by_platform_then_number_and_platforms_follow_keys():
    from oshs.tables import key_order, platform_of

    keys = pd.Series(["gitlab:10", "99", "gitlab:9", "100"], name="id")
    assert keys.iloc[key_order(keys).argsort()].tolist() == ["99", "100", "gitlab:9", "gitlab:10"]
    sort_keys = key_order(pd.Series(["7", "a:b:12", None], name="repository_id")).tolist()
    assert sort_keys[:2] == [" 00000000000000000007", "a:b 00000000000000000012"]
    assert pd.isna(sort_keys[2])  # missing stays missing
    logins = pd.Series(["nhsbsa", "gitlab:nhsbsa", "gitlab:nhsbsa/data"])
    assert platform_of(logins).tolist() == ["github", "gitlab", "gitlab"]


def test_repository_records_of_several_organisations_a_column_at_a_time():
    from oshs.tables import repository_records

    gitlab = repo(7, "gitlab:g", stars=None, platform="gitlab", language_shares={"Go": 1.0})
    gitlab["id"] = "gitlab:7"
    del gitlab["languages"]
    moved = repo(3, "b", stars=9)  # transferred from `a`: the later login wins a tie
    records = repository_records(
        [collection("b", [moved, repo(4, "b")]), collection("a", [repo(3), repo(12)]),
         collection("gitlab:g", [gitlab])]
    )  # fmt: skip
    shown = ["id", "platform", "organisation", "stars", "language_shares", "collected_on"]
    rows = records[shown].astype(object).where(records[shown].notna(), None)
    assert rows.to_dict("records") == [
        {"id": "3", "platform": "github", "organisation": "b", "stars": 9, "language_shares": None,
         "collected_on": "2025-10-06"},
        {"id": "4", "platform": "github", "organisation": "b", "stars": 1, "language_shares": None,
         "collected_on": "2025-10-06"},
        {"id": "12", "platform": "github", "organisation": "a", "stars": 1,
         "language_shares": None, "collected_on": "2025-10-06"},
        {"id": "gitlab:7", "platform": "gitlab", "organisation": "gitlab:g", "stars": None,
         "language_shares": [("Go", 1.0)], "collected_on": "2025-10-06"},  # an Arrow map
    ]  # fmt: skip
    assert repository_records([collection("a", [])]).empty


def test_sort_order_is_pandas_stable_order_of_repository_keys_and_text():
    from oshs.tables import TEXT_DTYPE, key_order, sort_order

    frame = pd.DataFrame(
        {
            "repository_id": pd.array(
                ["10", "9", "gitlab:2", "gitlab:10", "9", None, "100", "9", "gitlab:2"],
                dtype=TEXT_DTYPE,
            ),
            "language": pd.array(["b", "é", "B", "a", "a", "z", "Ä", "é", None], dtype=TEXT_DTYPE),
            "n": pd.array([3, None, 1, 1, 2, 0, None, 5, 4], dtype="Int64"),
        }
    )
    for keys in (["repository_id"], ["repository_id", "language"], ["language", "n"], ["n"]):
        expected = frame.sort_values(keys, kind="stable", key=key_order).index.to_numpy()
        assert sort_order(frame, keys).tolist() == expected.tolist(), keys
    assert sort_order(frame, ["repository_id", "language"]).tolist() == [4, 1, 7, 0, 6, 2, 8, 3, 5]
    assert sort_order(frame.iloc[:0], ["language"]).tolist() == []


def test_repository_sort_keys_a_column_at_a_time_equal_one_key_at_a_time():
    from oshs.tables import TEXT_DTYPE, _sort_key, key_order

    spellings = ["123", "7", "gitlab:45", "a:b:12", "gitlab:007", "9" * 20]
    odd = ["x", "", "-5", "gitlab:", "１２", "9" * 21, "gitlab:1e3"]
    rng = random.Random(16)
    for extra in [None, *odd]:
        keys = [rng.choice(spellings) for _ in range(50)] + [None, extra]
        column = pd.Series(keys, name="repository_id", dtype=TEXT_DTYPE)
        expected = [_sort_key(key) for key in keys]
        got = [None if pd.isna(key) else key for key in key_order(column)]
        assert got == expected, extra


def test_member_is_isin_for_keys_and_a_missing_key_is_never_a_member():
    from oshs.tables import TEXT_DTYPE, member

    keys = pd.Series(["1", "gitlab:2", None, "3"], dtype=TEXT_DTYPE, index=[5, 6, 7, 8])
    assert member(keys, {"gitlab:2", "3"}).to_dict() == {5: False, 6: True, 7: False, 8: True}
    among = pd.Series(["1", None], dtype=TEXT_DTYPE)
    assert member(keys, among).tolist() == [True, False, False, False]
    assert member(pd.Series([1, 2]), [2]).tolist() == [False, True]
    assert member(keys.iloc[:0], []).tolist() == []


def test_sorted_positions_sort_as_pandas_sorts_stably() -> None:
    keys = {
        "key": pd.Series(["b", "a", "b", "a", "b", "a"], dtype="str"),
        "stars": pd.Series([-3, -1, -3, -1, -3, None], dtype="Int64"),
        "name": pd.Series(["é", "z", "e", "z", "é", "a"], dtype="str"),
        "id": pd.Series(["9", "10", "1", "10", "2", "3"], dtype="str"),
    }
    expected = pd.DataFrame(keys).sort_values(list(keys), kind="stable").index.tolist()
    assert sorted_positions(keys).tolist() == expected == [1, 3, 5, 2, 4, 0]


def test_repositories_topics_are_sorted_by_code_point_and_joined_whatever_the_rows_index() -> None:
    records = pd.DataFrame(
        {"id": ["1", "2", "3", "4"], "topics": [["b", "a", "é", "B"], [], None, ["x"]]},
        index=[10, 3, 7, 5],  # rows kept from a longer frame: not 0, 1, 2, ...
    )
    topics = repositories_table(records).set_index("id")["topics"]
    shown = topics.astype(object).where(topics.notna(), None)
    assert shown.to_dict() == {"1": "B;a;b;é", "2": None, "3": None, "4": "x"}
