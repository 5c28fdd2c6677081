"""loadcatalog: idempotent, all-or-nothing, and it never silently overwrites a curator's admin edit."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from patterns.content import CONTENT_FILE, read_content
from patterns.loader import catalog_load
from patterns.models import (
    CatalogVersion,
    Caution,
    ChecklistItem,
    ContentLoad,
    Fit,
    Limit,
    Pattern,
    QuestionWeight,
    Scenario,
)
from patterns.requirements import QUESTIONS

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Pattern, Fit, Caution, Scenario, ChecklistItem, QuestionWeight)
    }


def load(path: Path | str = CONTENT_FILE, *args: str) -> str:
    out = io.StringIO()
    call_command("loadcatalog", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def content() -> dict[str, Any]:
    return read_content(CONTENT_FILE)


def test_the_catalog_is_loaded_with_every_pattern_fit_and_task(content: dict[str, Any]) -> None:
    # The session fixture has loaded the shipped file already.
    overrides = sum(len(fit.get("by_scope", {})) for p in content["patterns"] for a in p["fits"].values()
                    for fit in a.values())  # fmt: skip
    assert Pattern.objects.count() == 30
    answers_per_pattern = sum(len(question.values) for question in QUESTIONS)
    assert Fit.objects.filter(scope="").count() == 30 * answers_per_pattern
    assert Fit.objects.exclude(scope="").count() == overrides > 0
    assert ChecklistItem.objects.filter(condition={}).count() == 19
    assert ChecklistItem.objects.exclude(condition={}).count() == 10
    assert Limit.objects.count() == len(content["limits"]) and Limit.objects.filter(patterns__slug="webhooks").exists()
    assert Scenario.objects.count() == len(content["scenarios"])
    assert QuestionWeight.objects.count() == len(QUESTIONS)


def test_loading_twice_changes_nothing() -> None:
    before = counts()
    output = load()
    assert "0 created, 0 updated" in output
    assert counts() == before


def test_a_malformed_file_loads_nothing_and_names_the_entry(tmp_path: Path, content: dict[str, Any]) -> None:
    Scenario.objects.all().delete()
    Pattern.objects.all().delete()
    data = copy.deepcopy(content)
    data["patterns"][3]["category"] = "magic"
    slug = data["patterns"][3]["slug"]
    with pytest.raises(CommandError) as error:
        load(write(tmp_path, data))
    assert f"pattern {slug}.category: must be one of" in str(error.value)
    assert "nothing changed" in str(error.value)
    assert Pattern.objects.count() == 0


def test_a_file_that_is_not_json_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        load(path)


def test_a_file_change_updates_an_untouched_pattern(tmp_path: Path, content: dict[str, Any]) -> None:
    content["patterns"][0]["summary"] = "A new curated summary."
    output = load(write(tmp_path, content))
    assert f"pattern {content['patterns'][0]['slug']}" not in output  # not reported as kept
    assert Pattern.objects.get(slug=content["patterns"][0]["slug"]).summary == "A new curated summary."


def test_an_admin_edit_survives_a_reload_and_is_reported(tmp_path: Path, content: dict[str, Any]) -> None:
    odata = Pattern.objects.get(slug="odata")
    odata.summary = "Edited by a curator."
    odata.save()
    fit = Fit.objects.get(pattern__slug="webhooks", question="volume", value="high")
    fit.level = "poor"
    fit.save()

    output = load()

    assert Pattern.objects.get(slug="odata").summary == "Edited by a curator."
    assert Fit.objects.get(pk=fit.pk).level == "poor"
    assert "kept admin edit: pattern odata" in output
    assert "kept admin edit: pattern webhooks" in output


def test_overwrite_replaces_admin_edits_with_the_file() -> None:
    Pattern.objects.filter(slug="odata").update(summary="Edited by a curator.")
    load(CONTENT_FILE, "--overwrite")
    assert Pattern.objects.get(slug="odata").summary != "Edited by a curator."


def test_an_edited_caution_and_checklist_item_are_kept_too() -> None:
    caution = Caution.objects.filter(pattern__slug="odata").first()
    Caution.objects.filter(pk=caution.pk).update(title="Curator's own title")
    item = ChecklistItem.objects.first()
    ChecklistItem.objects.filter(pk=item.pk).update(guidance="Local guidance.")
    output = load()
    assert Caution.objects.get(pk=caution.pk).title == "Curator's own title"
    assert ChecklistItem.objects.get(pk=item.pk).guidance == "Local guidance."
    assert output.count("kept admin edit") == 2


def test_a_deactivated_pattern_stays_inactive_after_a_reload() -> None:
    Pattern.objects.filter(slug="html-web-resources").update(is_active=False)
    load(CONTENT_FILE, "--no-publish")
    assert not Pattern.objects.get(slug="html-web-resources").is_active


def test_a_load_that_breaks_a_scenario_is_not_published_without_a_reason() -> None:
    Pattern.objects.filter(slug="html-web-resources").update(is_active=False)  # a scenario expects it
    with pytest.raises(CommandError, match=r"1 scenario no longer ranks its expected pattern first .*: Custom visual"):
        load(CONTENT_FILE, "--publish")
    assert CatalogVersion.objects.count() == 1
    output = load(CONTENT_FILE, "--publish", "--override-reason", "Retiring HTML web resources.")
    assert "Published catalog version v2." in output
    assert CatalogVersion.objects.latest().override_reason == "Retiring HTML web resources."


def test_a_pattern_the_file_no_longer_mentions_is_kept(tmp_path: Path, content: dict[str, Any]) -> None:
    content["patterns"] = [p for p in content["patterns"] if p["slug"] != "iframe-ce"]
    content["cautions"] = [c for c in content["cautions"] if "iframe-ce" not in c["patterns"]]
    content["scenarios"] = [
        s for s in content["scenarios"] if s["expected"] != "iframe-ce" and "iframe-ce" not in s.get("alternatives", [])
    ]
    load(write(tmp_path, content))
    assert Pattern.objects.filter(slug="iframe-ce").exists()


def test_each_load_is_recorded_with_its_version(content: dict[str, Any]) -> None:
    report = catalog_load(data=content)
    assert ContentLoad.objects.order_by("-id").first().version == content["version"] == report.version
