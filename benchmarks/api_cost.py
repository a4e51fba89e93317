"""API cost of a full collection of the default organisations, against the sandbox.

Prints requests (counted by a proxy between oshs and the sandbox) and rate-limit points for:
GraphQL; REST listing; REST with per-repository enrichment; a repeat REST listing with nothing
changed (ETags: 304s); beside the floor Σ⌈public non-fork repositories/100⌉.

    python benchmarks/api_cost.py
"""

from __future__ import annotations

import math
import tempfile
from datetime import datetime
from pathlib import Path

from oshs.collect import ApiSettings
from oshs.config import bundled_config
from oshs.pipeline import run_collect
from oshs.sample import load_sample
from oshs.sandbox import RateLimiter, Sandbox
from oshs.sandbox.proxy import CountingProxy

COLLECTED_AT = datetime(2025, 10, 6, 6, 0, 0)
# Generous limits so the enriched REST run completes and can be measured at all.
LIMITS = RateLimiter(authenticated={"core": 1_000_000, "graphql": 1_000_000})


def floor_requests(dataset: dict) -> int:
    """Σ⌈public non-fork repositories / 100⌉ over organisations."""
    counts = [
        sum(1 for r in org["repositories"] if r["visibility"] == "public" and not r["fork"])
        for org in dataset["organisations"]
    ]
    return sum(max(1, math.ceil(count / 100)) for count in counts)


def measure(dataset: dict, raw_dir: Path, runs: int = 1, **settings) -> list[tuple[int, int]]:
    """(requests seen by the proxy, rate-limit points the sandbox charged) per run."""
    results = []
    with Sandbox(dataset, rate_limiter=LIMITS) as sandbox, CountingProxy(sandbox.url) as proxy:
        options = ApiSettings(api_url=proxy.url, token="t", seconds_between_requests=0, **settings)
        for _ in range(runs):
            before_requests, before_points = proxy.requests, dict(proxy.last_used)
            run_collect(bundled_config(), options, raw_dir=raw_dir, collected_at=COLLECTED_AT)
            resource = "graphql" if options.api == "graphql" else "core"
            points = proxy.last_used[resource] - before_points.get(resource, 0)
            results.append((proxy.requests - before_requests, points))
    LIMITS.reset()
    return results


def main() -> None:
    """Print the table."""
    dataset = load_sample()
    floor = floor_requests(dataset)
    public = sum(
        1
        for org in dataset["organisations"]
        for r in org["repositories"]
        if r["visibility"] == "public" and not r["fork"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("GraphQL (default with a token)", *measure(dataset, Path(tmp, "g"), api="graphql")[0])
        ]
        first, repeat = measure(dataset, Path(tmp, "r"), runs=2, api="rest")
        rows += [("REST listing", *first), ("REST listing, repeated, nothing changed", *repeat)]
        rows.append(
            (
                "REST listing + per-repository enrichment",
                *measure(dataset, Path(tmp, "e"), api="rest", enrich=True)[0],
            )
        )
    print(f"{len(dataset['organisations'])} organisations, {public} public non-fork repositories")
    print(f"floor Σ⌈repositories/100⌉ = {floor} requests\n")
    print(f"{'collection':<44} {'requests':>9} {'× floor':>8} {'points':>7}")
    for name, requests, points in rows:
        print(f"{name:<44} {requests:>9} {requests / floor:>8.2f} {points:>7}")


if __name__ == "__main__":
    main()
