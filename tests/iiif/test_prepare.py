"""Pyramids made ahead of the first viewer: every published page once, again only when changed."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.iiif.prepare import prepare_batch


def test_prepare_makes_each_pyramid_once(published, tmp_path):
    catalog, batch, _ = published
    pages = [p for d in catalog.dossiers(batch) for p in d.pages]
    cache = tmp_path / "cache"
    seen = []
    report = prepare_batch(catalog, batch, cache, progress=lambda done, total: seen.append((done, total)))
    assert (report.built, report.current) == (len(pages), 0)
    assert seen[-1] == (len(pages), len(pages))
    assert len(list(cache.rglob("*.tif"))) == len(pages)
    again = prepare_batch(catalog, batch, cache)
    assert (again.built, again.current) == (0, len(pages))


def test_cli_prepare_writes_into_the_workspace(processed, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(processed["workspace"].root, ws, ignore=shutil.ignore_patterns("*.lock", "*.locks"))
    result = CliRunner().invoke(main, ["--workspace", str(ws), "iiif", "prepare", processed["batch"].name])
    assert result.exit_code == 0, result.output
    assert "pyramids made" in result.output
    assert list((ws / "iiif").rglob("*.tif"))
    unknown = CliRunner().invoke(main, ["--workspace", str(ws), "iiif", "prepare", "nope"])
    assert unknown.exit_code == 6 and "no published batch" in unknown.output
    assert "Traceback" not in unknown.output
