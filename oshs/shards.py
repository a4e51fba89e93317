"""Shards: `--shard K/N` splits the organisation list into N disjoint, stable slices.

An organisation's shard depends only on its login (a hash of it, lower-cased), so adding or
removing another organisation never moves it: a workflow matrix collects the same slice each run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from oshs.config import Config
from oshs.errors import UsageError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """`"K/N"` → `(K, N)` with 1 ≤ K ≤ N; a usage error otherwise."""
    found = _SHARD.match(text)
    if not found or not 1 <= int(found.group(1)) <= int(found.group(2)):
        raise UsageError(f"--shard: expected K/N with 1 <= K <= N (for example 2/4), got {text!r}")
    return int(found.group(1)), int(found.group(2))


def shard_of(login: str, count: int) -> int:
    """The shard (1-based) of `login` among `count` shards."""
    digest = hashlib.sha256(login.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(config: Config, index: int, count: int) -> Config:
    """`config` with only the organisations of shard `index` of `count` (possibly none)."""
    kept = tuple(org for org in config.organisations if shard_of(org.key, count) == index)
    return replace(config, organisations=kept)


def manifest_name(shard: tuple[int, int] | None) -> str:
    """The manifest file of a collection: one per shard, so merged shards do not collide."""
    return "manifest.json" if shard is None else f"manifest-shard-{shard[0]}-of-{shard[1]}.json"
