"""Shards are disjoint, cover every organisation, and do not move when the list changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oshs.config import bundled_config
from oshs.errors import UsageError
from oshs.shards import manifest_name, parse_shard, select_shard, shard_of


def test_parse_shard_accepts_k_of_n():
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(" 1 / 1 ") == (1, 1)


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0", "-1/3", ""])
def test_parse_shard_rejects_anything_else(text):
    with pytest.raises(UsageError) as caught:
        parse_shard(text)
    assert caught.value.message == (
        f"--shard: expected K/N with 1 <= K <= N (for example 2/4), got {text!r}"
    )
    assert caught.value.exit_code == 2


def test_shards_are_disjoint_and_cover_the_list():
    config = bundled_config()
    slices = [select_shard(config, k, 4).organisations for k in range(1, 5)]
    logins = [org.key for part in slices for org in part]
    assert sorted(logins) == sorted(org.key for org in config.organisations)
    assert len(set(logins)) == len(logins)
    assert all(part for part in slices)  # 31 organisations: no empty shard of 4


def test_an_organisations_shard_ignores_case_and_the_rest_of_the_list():
    assert shard_of("NHSDigital", 5) == shard_of("nhsdigital", 5)
    config = bundled_config()
    fewer = replace(config, organisations=config.organisations[5:])
    before = {org.login for org in select_shard(config, 3, 4).organisations}
    after = {org.login for org in select_shard(fewer, 3, 4).organisations}
    assert after == before - {org.login for org in config.organisations[:5]}


def test_each_shard_has_its_own_manifest():
    assert manifest_name(None) == "manifest.json"
    assert manifest_name((2, 4)) == "manifest-shard-2-of-4.json"
