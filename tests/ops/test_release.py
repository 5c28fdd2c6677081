"""The release step loads the content file into the draft and publishes nothing curators haven't published (except
the first version of an empty database); `publishcatalog` publishes from the command line with the publish page's
regression rule."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from patterns.catalog import published_content
from patterns.models import CatalogVersion, Pattern

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def published_summary(slug: str) -> str:
    _, content = published_content()
    return next(p["summary"] for p in content["patterns"] if p["slug"] == slug)


def break_a_scenario() -> None:
    Pattern.objects.filter(slug="html-web-resources").update(is_active=False)  # a curated scenario expects it


def test_loading_the_content_publishes_nothing_a_curator_left_unpublished() -> None:
    Pattern.objects.filter(slug="odata").update(summary="Half-finished curation.")
    output = run("loadcatalog")
    assert CatalogVersion.objects.count() == 1
    assert published_summary("odata") != "Half-finished curation."
    assert "waits for a curator to publish it" in output


def test_a_draft_that_breaks_a_scenario_neither_fails_the_release_nor_gets_published() -> None:
    break_a_scenario()
    run("loadcatalog")
    assert CatalogVersion.objects.count() == 1


def test_an_empty_database_gets_its_first_version_published() -> None:
    CatalogVersion.objects.all().delete()
    assert "Published catalog version v1." in run("loadcatalog")
    assert CatalogVersion.objects.count() == 1


def test_no_publish_leaves_even_an_empty_database_unpublished() -> None:
    CatalogVersion.objects.all().delete()
    run("loadcatalog", "--no-publish")
    assert not CatalogVersion.objects.exists()


def test_publishcatalog_publishes_the_draft_with_its_note() -> None:
    Pattern.objects.filter(slug="odata").update(summary="Reviewed summary.")
    assert "Published catalog version v2." in run("publishcatalog", "--note", "Clearer OData summary.")
    latest = CatalogVersion.objects.latest("number")
    assert latest.note == "Clearer OData summary." and latest.override_reason == ""
    assert published_summary("odata") == "Reviewed summary."


def test_publishcatalog_needs_a_note() -> None:
    with pytest.raises(CommandError, match="--note"):
        run("publishcatalog")
    with pytest.raises(CommandError, match="Say what changed"):
        Pattern.objects.filter(slug="odata").update(summary="Reviewed summary.")
        run("publishcatalog", "--note", "  ")


def test_publishcatalog_refuses_a_regression_without_a_reason_and_records_the_reason() -> None:
    break_a_scenario()
    with pytest.raises(CommandError, match="Custom visual on Customer Engagement"):  # the scenario's title
        run("publishcatalog", "--note", "Retire HTML web resources.")
    assert CatalogVersion.objects.count() == 1
    run("publishcatalog", "--note", "Retire HTML web resources.", "--override-reason", "Deprecated by Microsoft.")
    assert CatalogVersion.objects.latest("number").override_reason == "Deprecated by Microsoft."


def test_publishcatalog_with_nothing_new_publishes_nothing() -> None:
    assert "nothing to publish" in run("publishcatalog", "--note", "Again.")
    assert CatalogVersion.objects.count() == 1
