"""oshs.render: the charts and report of a release, labelled with its provenance; the charts of
the same tables are drawn once per process."""

from __future__ import annotations

import json
from functools import partial

from test_charts import DAY, tiny_tables

from oshs import render
from oshs.charts import CHART_NAMES, Chart
from oshs.config import parse_config
from oshs.provenance import NotCollected

CONFIG = parse_config(
    "organisations: [nhsengland, nhsx, evil, {login: ghost, name: Ghost Trust}]\n", "t.yaml"
)
DESCRIPTOR = {
    "title": "Test package",
    "version": "1.0.0",
    "sources": [{"title": "GitHub API", "path": "https://api.github.com"}],
    "resources": [
        {"name": "repositories", "path": "outputs/data/repositories.csv", "hash": "sha256:0"}
    ],
}


def test_a_release_is_drawn_once_labelled_and_loses_a_replaced_history(tmp_path, monkeypatch):
    raw = tmp_path / "raw" / DAY
    raw.mkdir(parents=True)
    (raw / "manifest.json").write_text(
        json.dumps({"organisations": {"collected": ["nhsengland"], "failed": {"ghost": "404"}}})
    )
    tables = tiny_tables()
    tables["organisation_history"] = tables["organisation_history"].iloc[-3:]  # one date
    out = tmp_path / "outputs"
    (out / "charts").mkdir(parents=True)
    (out / "charts" / "history.png").write_bytes(b"of an earlier history")
    drawn = []

    def counting(tables, *, provenance, **_):  # drawing itself is tested in test_charts
        drawn.append(1)
        return [partial(Chart, name, f"{name} {provenance.collected_on}", f"{name} shows",
                        b"<svg/>", name.encode(), f"{name} alt")
                for name in CHART_NAMES[:-1]]  # fmt: skip

    monkeypatch.setattr(render, "chart_jobs", counting)
    monkeypatch.setattr(render, "_DRAWN", {})
    options = {"out_dir": out, "package_path": tmp_path / "datapackage.json",
               "raw_dir": tmp_path / "raw"}  # fmt: skip
    provenance = render.write_charts_and_report(CONFIG, tables, DESCRIPTOR, collected_on=DAY,
                                                **options)  # fmt: skip
    assert provenance.not_collected == (NotCollected("ghost", "Ghost Trust", "404"),)
    assert (provenance.sample, provenance.organisations, provenance.collected) == (False, 4, 3)
    names = sorted(path.name for path in (out / "charts").iterdir())
    assert names == sorted(f"{name}.{kind}" for name in CHART_NAMES[:-1] for kind in ("svg", "png"))
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[2] == (
        "**Partial collection: 3 of 4 organisations collected on 2025-10-13.** Not collected: "
        "Ghost Trust (`ghost`): 404, never collected, not in the figures."
    )
    assert (
        "### cambrian-explosion 2025-10-13\n\n"
        "![cambrian-explosion alt](charts/cambrian-explosion.svg)" in readme
    )
    files = {path.name: path.read_bytes() for path in (out / "charts").iterdir()}
    render.write_charts_and_report(CONFIG, tables, DESCRIPTOR, collected_on=DAY, **options)
    assert drawn == [1]  # the same tables: drawn once
    assert files == {path.name: path.read_bytes() for path in (out / "charts").iterdir()}
