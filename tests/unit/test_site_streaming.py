"""oshs.site written as it is made (`oshs.render`): the same bytes as `site_files` makes at
once; the rows of the organisation pages made a chunk at a time; the search index made a
column at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_charts import DAY, tiny_tables

from oshs import render
from oshs.config import parse_config
from oshs.figures import Figures, organisation_names
from oshs.site import SITE_DIR, site_files
from oshs.site import index as site_index
from oshs.site import rows as site_rows
from oshs.site.index import search_index
from oshs.site.model import organisation_pages, repository_rows

CONFIG = parse_config("organisations: [nhsengland, nhsx, evil]\n", "t.yaml")
DESCRIPTOR = {"title": "Test package", "version": "1.0.0", "created": f"{DAY}T00:00:00Z",
              "resources": [{"name": "repositories", "path": "outputs/data/repositories.csv",
                             "hash": "sha256:0"}]}  # fmt: skip


def test_the_site_written_while_charts_are_drawn_is_site_files(tmp_path: Path) -> None:
    tables, out = tiny_tables(), tmp_path / "outputs"
    provenance = render.write_charts_and_report(CONFIG, tables, DESCRIPTOR, out_dir=out,
                                                package_path=tmp_path / "datapackage.json",
                                                collected_on=DAY)  # fmt: skip
    charts = render._DRAWN[render._charts_key(DESCRIPTOR, provenance, CONFIG.language_groups)]
    expected = site_files(
        tables, DESCRIPTOR, provenance=provenance, charts=charts, site_dir=out / SITE_DIR,
        package_path=tmp_path / "datapackage.json", charts_dir=out / "charts",
        language_groups=CONFIG.language_groups,
    )  # fmt: skip
    written = {path.relative_to(out / SITE_DIR).as_posix(): path.read_bytes()
               for path in (out / SITE_DIR).rglob("*") if path.is_file()}  # fmt: skip
    assert written == expected


@pytest.mark.parametrize("chunk", [1, 2, 3, 1000])
def test_rows_made_a_chunk_at_a_time_are_those_made_at_once(monkeypatch, chunk: int) -> None:
    rows = repository_rows(tiny_tables()["repositories"], {})
    html = site_rows.row_html(rows)
    keys = rows["key"].tolist()
    expected = {key: "\n".join(h for h, k in zip(html, keys, strict=True) if k == key)
                for key in set(keys)}  # fmt: skip
    monkeypatch.setattr(site_rows, "CHUNK_ROWS", chunk)
    grouped = site_rows.rows_by_organisation(rows)
    for order in (sorted(grouped), sorted(grouped, reverse=True)):  # in the pages' order or not
        assert {key: grouped[key][1].__html__() for key in order} == expected
    assert {key: count for key, (count, _) in grouped.items()} == {
        key: keys.count(key) for key in expected
    }


@pytest.mark.parametrize("chunk", [1, 2, 100_000])
def test_the_search_index_is_one_compact_json_object(monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(site_index, "CHUNK_VALUES", chunk)  # its columns made a chunk at a time
    tables = tiny_tables()
    rows = repository_rows(tables["repositories"], {})
    names = organisation_names(Figures(tables, DAY).tables["organisations"])
    script = search_index(rows, organisation_pages(tables["organisations"], names))
    prefix, suffix = b"window.OSHS_INDEX = ", b";\n"
    assert script.startswith(prefix) and script.endswith(suffix)
    body = script[len(prefix) : -len(suffix)].decode("ascii")
    document = json.loads(body)
    assert json.dumps(document, ensure_ascii=True, separators=(",", ":")) == body
    assert list(document)[:4] == ["organisations", "languages", "licences", "none"]
    monkeypatch.setattr(site_index, "CHUNK_VALUES", len(rows))
    assert search_index(rows, organisation_pages(tables["organisations"], names)) == script
