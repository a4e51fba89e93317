"""oshs.release: replay, semantic versions and CHANGELOG.md."""

from __future__ import annotations

import copy
import weakref
from pathlib import Path

import pytest
from test_history import D1, D2, D3, METADATA, coll, repo

import oshs.release
from oshs.collection import Collection
from oshs.errors import PackageError
from oshs.history import State, read_state
from oshs.package import write_package_data
from oshs.parquet import parquet_bytes, published_bytes
from oshs.release import dates_to_replay, replay
from oshs.schema import TABLES
from oshs.versions import next_version, schema_changes

OPTIONS = {"resource_dir": "outputs/data", "include_forks": False, "include_archived": True}
API_URL = "https://api.github.com"


def day1() -> Collection:
    return Collection(
        D1, (coll("a", D1, repo(1), repo(2)), coll("b", D1, repo(3, "b"))), (), API_URL
    )


def day2() -> Collection:
    organisations = (
        coll("a", D2, repo(1, stars=7, archived=True), repo(4, name="x|<b>", full_name="a/x|<b>")),
    )
    return Collection(D2, organisations, ("b",), API_URL)


def build(state, *collections, metadata=METADATA):
    return replay(state, list(collections), metadata=metadata, **OPTIONS)


def publish(release, root: Path) -> State:
    """Write `release` as a package under `root` and read it back as the next state."""
    write_package_data(release.data, release.descriptor, package_path=root / "datapackage.json",
                       out_dir=root / "outputs", changelog=release.changelog,
                       twins=release.twins)  # fmt: skip
    state = read_state(root / "datapackage.json", root / "outputs")
    assert state is not None
    return state


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_first_publication_is_1_0_0_dated_by_the_collection():
    release = build(None, day1())
    assert release.version == "1.0.0"
    assert release.created == f"{D1}T00:00:00Z"
    assert release.changelog.count("\n## ") == 1 and "## 1.0.0 (2025-10-06)" in release.changelog


def test_replay_takes_over_the_collections_and_the_state_it_applies():
    collections = [day2(), day1()]
    release = replay(None, collections, metadata=METADATA, **OPTIONS)
    assert collections == []  # their records are freed as the build goes on
    expected = build(None, day1(), day2())
    assert (release.data, release.descriptor) == (expected.data, expected.descriptor)
    state = first_state(build(None, day1()))
    after = replay(state, [day2()], metadata=METADATA, **OPTIONS)
    assert state.tables == {}  # the previous tables are freed once the new ones are built
    assert (after.data, after.changelog) == (expected.data, expected.changelog)


def test_a_days_records_are_freed_before_its_bytes_are_made(monkeypatch):
    collections = [day1(), day2()]
    records = {c.collected_on: [weakref.ref(o) for o in c.organisations] for c in collections}
    alive_when_made = []

    def published(tables, **options):
        alive_when_made.append({day: sum(r() is not None for r in refs)
                                for day, refs in records.items()})  # fmt: skip
        return published_bytes(tables, **options)

    monkeypatch.setattr(oshs.release, "published_bytes", published)
    replay(None, collections, metadata=METADATA, **OPTIONS)
    assert alive_when_made == [{D1: 0, D2: 1}, {D1: 0, D2: 0}]


def test_new_data_is_minor_and_the_changelog_grows_newest_first():
    release = build(build(None, day1()), day2())
    assert release.version == "1.1.0" and release.created == f"{D2}T00:00:00Z"
    text = release.changelog
    assert text.index("## 1.1.0 (2025-10-07)") < text.index("## 1.0.0 (2025-10-06)")
    entry = text[text.index("## 1.1.0") : text.index("## 1.0.0")]
    assert entry == (
        "## 1.1.0 (2025-10-07)\n\n"
        "3 public repositories (1 of them archived) of 2 organisations "
        "(collected on 2025-10-07).\n\n"
        "| Organisation | Added | Removed | Newly archived | Repositories |\n"
        "| --- | ---: | ---: | ---: | ---: |\n"
        "| A | 1 | 1 | 1 | 2 |\n"
        "| **Total** | **1** | **1** | **1** | **3** |\n\n"
        "- Added: a/x\\|&lt;b&gt;\n"
        "- Removed: a/r2\n"
        "- Newly archived: a/r1\n\n"
        "Not collected, carried forward unchanged (stale): B (last collected on 2025-10-06).\n\n"
    )


def test_sample_data_is_said_first_in_each_entry():
    sandbox = "http://127.0.0.1:8123"
    release = build(None, Collection(D1, day1().organisations, (), sandbox))
    assert (
        "## 1.0.0 (2025-10-06)\n\nSAMPLE DATA (invented repositories shaped on published counts): "
        "3 public repositories (0 of them archived) of 2 organisations (collected on 2025-10-06).\n"
    ) in release.changelog
    assert "| A | 2 | 0 | 0 | 2 |\n| B | 1 | 0 | 0 | 1 |" in release.changelog


def test_same_collection_again_keeps_the_version_and_every_byte():
    first = build(None, day1())
    again = build(first_state(first), day1())
    assert again.version == "1.0.0"
    assert again.descriptor == first.descriptor and again.changelog == first.changelog


def first_state(release) -> State:
    return State(dict(release.tables), release.descriptor, release.changelog)


def test_metadata_only_is_a_patch():
    first = build(None, day1())
    release = build(first_state(first), day1(), metadata={**METADATA, "title": "New title"})
    assert release.version == "1.0.1"
    assert "## 1.0.1 (2025-10-06)" in release.changelog
    assert "Republished with new metadata; the data did not change." in release.changelog
    republished = build(first_state(first), metadata={**METADATA, "title": "New title"})
    assert republished.version == "1.0.1" and republished.tables is not None


def test_schema_change_is_major():
    first = build(None, day1())
    previous = copy.deepcopy(first.descriptor)
    fields = previous["resources"][1]["schema"]["fields"]
    fields.append({"name": "watchers", "type": "integer"})
    next(f for f in fields if f["name"] == "stars")["type"] = "number"
    assert schema_changes(previous, first.descriptor) == [
        "column `repositories.stars` changed type from number to integer",
        "column `repositories.watchers` removed or renamed",
    ]
    release = build(State(first.tables, previous, first.changelog), day2())
    assert release.version == "2.0.0"
    assert "- column `repositories.watchers` removed or renamed" in release.changelog


def test_version_rules_of_next_version():
    first = build(None, day1()).descriptor
    assert next_version(None, first) == "1.0.0"
    assert next_version(first, first) == "1.0.0"
    other = copy.deepcopy(first)
    other["resources"][0]["hash"] = "sha256:0"
    assert next_version({**first, "version": "1.4.2"}, other) == "1.5.0"
    fewer = {**first, "resources": first["resources"][:-1]}
    assert next_version(first, fewer) == "2.0.0"
    assert next_version(fewer, first) == "1.1.0"  # a new table is new data


def test_incremental_and_all_at_once_builds_are_byte_identical(tmp_path: Path):
    third = Collection(D3, (coll("a", D3, repo(1), repo(2)), coll("b", D3)), (), API_URL)
    once = build(None, day1(), day2(), third)
    publish(once, tmp_path / "once")
    state = None
    for collection in (day1(), day2(), third):
        state = publish(build(state, collection), tmp_path / "steps")
    assert files(tmp_path / "once") == files(tmp_path / "steps")
    assert once.version == "1.2.0"
    again = build(state, third)
    publish(again, tmp_path / "steps")
    assert files(tmp_path / "once") == files(tmp_path / "steps")


def test_dates_to_replay_start_at_the_states_own_date_and_add_older_days_it_lacks():
    first = build(None, day1())
    state = first_state(first)
    assert dates_to_replay(None, [D2, D1]) == [D1, D2]
    assert dates_to_replay(state, ["2025-10-01", D1, D3, D2]) == ["2025-10-01", D1, D2, D3]
    later = State(build(first, day2()).tables, {"created": f"{D2}T00:00:00Z"})
    assert dates_to_replay(later, [D1, D2, D3]) == [D2, D3]  # D1 is held: published
    with pytest.raises(PackageError) as raised:
        build(None)
    assert raised.value.message == "nothing to build: no previous package and no collection"


def test_a_day_older_than_the_state_is_merged_as_new_data_and_said_so():
    late = build(first_state(build(None, day2())), day1())
    assert late.version == "1.1.0" and late.created == f"{D2}T00:00:00Z"
    history = late.tables["organisation_history"]
    pairs = zip(history["collected_on"], history["organisation"], strict=True)
    assert sorted(set(pairs)) == [
        (D1, "a"), (D1, "b"), (D2, "a"),
    ]  # fmt: skip
    assert f"## 1.1.0 ({D2})\n\nMerged the observation of {D1}, which reached the package " in (
        late.changelog
    )


def test_only_the_returned_release_has_parquet_twins_and_versions_are_unchanged_by_it():
    # the same day twice: the second step publishes the first's data, so no new version
    twice = build(None, day1(), day1())
    once = build(None, day1())
    assert (twice.version, twice.changelog, twice.descriptor) == (
        once.version,
        once.changelog,
        once.descriptor,
    )
    assert twice.twins == once.twins and not twice.provisional
    assert twice.twins == {
        name: parquet_bytes(content, TABLES[name]) for name, content in twice.data.items()
    }
    kinds = [item["type"] for item in twice.descriptor["resources"]]
    assert kinds == ["table"] * len(TABLES) + ["file"] * len(TABLES)


def test_a_step_after_the_published_state_is_compared_with_its_twins(tmp_path: Path):
    state = publish(build(None, day1()), tmp_path)
    stripped = copy.deepcopy(state.descriptor)  # a package published before the twins
    stripped["resources"] = [r for r in stripped["resources"] if r["type"] != "file"]
    tables = dict(state.tables)  # `replay` takes each state's tables over

    def old() -> State:
        return State(dict(tables), stripped, state.changelog)

    assert build(state, day1()).version == "1.0.0"
    assert build(old(), day1()).version == "1.1.0"  # the twins are new data
    assert build(old(), day1(), day1()).version == "1.1.0"
