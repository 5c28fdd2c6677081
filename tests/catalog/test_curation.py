"""Curation lifecycle: versions, scenario regression, diffs, rollback, audit, curators, export/load round trip."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from patterns.catalog import published_content, published_snapshot
from patterns.content import CONTENT_FILE, read_content
from patterns.curators import CURATORS_GROUP
from patterns.draft import catalog_export
from patterns.models import CatalogVersion, CurationEvent, Fit, Pattern, Scenario
from patterns.publishing import catalog_diff, version_publish, version_rollback
from tests.conftest import make_user
from tests.factories import WEB_SHOP

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(db: None) -> User:
    user = make_user("cora", staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


def recommend_api(body: dict[str, Any]) -> dict[str, Any]:
    return Client().post(reverse("api:recommendations"), json.dumps(body), content_type="application/json").json()


def break_webhooks_for_low_volume() -> None:
    Fit.objects.filter(pattern__slug="webhooks", question="volume", value="low").update(level="poor", rationale="x")


def test_loadcatalog_published_the_first_version() -> None:
    version = CatalogVersion.objects.get()
    assert version.label == "v1" and version.content["patterns"] and version.published_by is None
    assert recommend_api(WEB_SHOP)["catalog_version"] == "v1"


def test_draft_edits_reach_architects_only_when_published(curator: User) -> None:
    Fit.objects.filter(pattern__slug="odata", question="volume", value="low").update(level="poor", rationale="x")
    assert recommend_api(WEB_SHOP)["options"][0]["pattern"] == "odata"  # still v1
    version_publish(actor=curator, note="OData is no longer for low volume.", override_reason="Testing publishing.")
    answer = recommend_api(WEB_SHOP)
    assert answer["catalog_version"] == "v2" and answer["options"][0]["pattern"] != "odata"


def test_a_publish_that_breaks_a_scenario_is_refused_without_an_override(curator: User) -> None:
    break_webhooks_for_low_volume()
    with pytest.raises(ValidationError) as error:
        version_publish(actor=curator, note="Webhooks change.")
    title = Scenario.objects.get(slug="ce-case-closed-notify-low").title
    assert title in str(error.value) and "ce-case-closed-notify-low" not in str(error.value)  # names, not slugs
    assert CatalogVersion.objects.count() == 1
    version = version_publish(actor=curator, note="Webhooks change.", override_reason="Webhooks retired here.")
    assert version.override_reason == "Webhooks retired here."
    broken = [row for row in version.regression if row["broken"]]
    assert [row["scenario"] for row in broken] == ["ce-case-closed-notify-low"] or broken


def test_versions_are_numbered_and_a_rollback_publishes_old_content(curator: User) -> None:
    break_webhooks_for_low_volume()
    version_publish(actor=curator, note="Change.", override_reason="Testing rollback.")
    answers = Scenario.objects.get(slug="ce-case-closed-notify-low").answers
    assert recommend_api(answers)["options"][0]["pattern"] != "webhooks"
    rolled = version_rollback(version=CatalogVersion.objects.get(number=1), actor=curator)
    assert rolled.label == "v3" and rolled.note == "Rollback to v1."
    assert recommend_api(answers)["options"][0]["pattern"] == "webhooks"
    assert Fit.objects.get(pattern__slug="webhooks", question="volume", value="low").level != "poor"


def test_the_diff_between_versions_names_each_pattern_change(curator: User) -> None:
    before = catalog_export()
    break_webhooks_for_low_volume()
    Pattern.objects.filter(slug="pcf").update(summary="A new summary.")
    diff = catalog_diff(before, catalog_export())
    by_slug = {p["slug"]: p for p in diff["patterns"]}
    assert set(by_slug) == {"webhooks", "pcf"}
    assert (
        by_slug["webhooks"]["fits"][0]["question"] == "volume"
        and by_slug["webhooks"]["fits"][0]["after"]["fit"] == "poor"
    )
    assert by_slug["pcf"]["text"][0]["field"] == "summary"


def test_export_then_load_gives_an_identical_catalog(tmp_path: Path) -> None:
    path = tmp_path / "exported.json"
    call_command("exportcatalog", str(path), stderr=io.StringIO())
    exported = json.loads(path.read_text())
    Pattern.objects.filter(slug="pcf").update(summary="Changed after the export.")
    call_command("loadcatalog", str(path), "--overwrite", stdout=io.StringIO())
    assert catalog_export()["patterns"] == exported["patterns"]
    again = tmp_path / "again.json"
    call_command("exportcatalog", str(again), stderr=io.StringIO())
    assert json.loads(again.read_text()) == exported


def test_the_shipped_file_round_trips_through_the_database() -> None:
    shipped = read_content(CONTENT_FILE)
    exported = catalog_export()
    for key in ("weights", "checklist"):
        assert exported[key] == shipped[key], key
    assert {p["slug"]: p["fits"] for p in exported["patterns"]} == {p["slug"]: p["fits"] for p in shipped["patterns"]}
    assert len(exported["scenarios"]) == len(shipped["scenarios"])


def test_loading_reports_every_error_at_once_and_loads_nothing(tmp_path: Path) -> None:
    data = read_content(CONTENT_FILE)
    data["patterns"][0]["family"] = "erp"
    data["scenarios"][0]["expected"] = "nope"
    data["checklist"][0]["items"][0]["when"] = {"colour": ["red"]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    before = Pattern.objects.values_list("family", flat=True).first()
    with pytest.raises(Exception) as error:
        call_command("loadcatalog", str(path))
    message = str(error.value)
    assert ".family" in message and ".expected" in message and ".when" in message
    assert Pattern.objects.values_list("family", flat=True).first() == before


def test_only_curators_reach_the_admin_and_curation_pages(client: Client, bob: User, curator: User) -> None:
    staff = make_user("stan", staff=True)  # staff, but not a curator
    for user, allowed in ((bob, False), (staff, False), (curator, True)):
        client.force_login(user)
        admin = client.get(reverse("admin:patterns_fit_changelist"))
        assert (admin.status_code == 200) is allowed, user
        for url in (reverse("curation:overview"), reverse("curation:publish"), reverse("curation:diff")):
            assert client.get(url).status_code == (200 if allowed else 403), (user, url)
    client.logout()
    assert client.get(reverse("curation:overview")).status_code == 302


def test_a_curators_admin_edit_is_audited_per_pattern(client: Client, curator: User) -> None:
    client.force_login(curator)
    fit = Fit.objects.get(pattern__slug="odata", question="volume", value="medium")
    new_level = "weak" if fit.level != "weak" else "poor"
    response = client.post(
        reverse("admin:patterns_fit_change", args=[fit.pk]),
        {
            "pattern": fit.pattern_id,
            "question": "volume",
            "value": "medium",
            "level": new_level,
            "rationale": "Too slow.",
        },
    )
    assert response.status_code == 302
    event = CurationEvent.objects.filter(pattern__slug="odata", actor=curator).get()
    assert event.action == "changed" and event.changes["level"] == [fit.level, new_level]
    body = client.get(reverse("curation:pattern_audit", args=["odata"])).content.decode()
    assert "Too slow." in body and "cora" in body


def test_inline_edits_on_the_pattern_are_audited(client: Client, curator: User) -> None:
    client.force_login(curator)
    pattern = Pattern.objects.get(slug="iframe-ce")
    page = client.get(reverse("admin:patterns_pattern_change", args=[pattern.pk]))
    data = {}
    for name, value in _form_values(page.content.decode()).items():
        data[name] = value
    link_prefix = "links"
    data[f"{link_prefix}-0-title"] = "A retitled link"
    response = client.post(reverse("admin:patterns_pattern_change", args=[pattern.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CurationEvent.objects.filter(pattern=pattern, object_type="pattern link", action="changed").exists()


def _form_values(html: str) -> dict[str, str]:
    """The values a browser would submit from the admin change form (inputs, textareas, selected options)."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.values: dict[str, str] = {}
            self.textarea: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in {"submit", "checkbox", "file"}:
                self.values[name] = a.get("value") or ""
            elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
                self.values[name] = a.get("value") or "on"
            elif tag == "textarea" and name:
                self.textarea, self.values[name] = name, ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.values[self.select] = a.get("value") or ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "textarea":
                self.textarea = None
            if tag == "select":
                self.select = None

        def handle_data(self, data: str) -> None:
            if self.textarea:
                self.values[self.textarea] += data

    parser = Form()
    parser.feed(html)
    return {k: v for k, v in parser.values.items() if not k.startswith("_") and "__prefix__" not in k}


def test_the_publish_page_shows_the_regression_and_needs_a_reason(client: Client, curator: User) -> None:
    break_webhooks_for_low_volume()
    client.force_login(curator)
    page = client.get(reverse("curation:publish")).content.decode()
    assert "expected not first" in page and "Tell the billing system when a case closes" in page
    refused = client.post(reverse("curation:publish"), {"note": "Webhooks change."})
    assert refused.status_code == 400 and "no longer rank their expected pattern first" in refused.content.decode()
    accepted = client.post(reverse("curation:publish"), {"note": "Webhooks change.", "override_reason": "On purpose."})
    assert accepted.status_code == 302 and CatalogVersion.objects.latest().override_reason == "On purpose."


def test_the_regression_shows_what_moves_in_full_and_the_rest_in_a_short_list(client: Client, curator: User) -> None:
    # Every scenario in full made the page outgrow its 100 KB once the scenarios passed 170.
    client.force_login(curator)
    scenarios = CatalogVersion.objects.latest().content["scenarios"]
    same = client.get(reverse("curation:publish")).content.decode()
    assert "No scenario's top three changes." in same and "<tbody>" not in same
    assert f"{len(scenarios)} scenarios rank exactly as published" in same
    break_webhooks_for_low_volume()
    page = client.get(reverse("curation:publish")).content.decode()
    table, steady = page.split("<tbody>")[1].split("</tbody>")[0], page.split("rank exactly as published")[1]
    assert "Tell the billing system when a case closes" in table and "expected not first" in table
    assert "Tell the billing system when a case closes" not in steady
    assert table.count("<tr") + steady.split("</ul>")[0].count("<li>") == len(scenarios)


def test_publishing_needs_a_note(curator: User) -> None:
    with pytest.raises(ValidationError):
        version_publish(actor=curator, note=" ")


def test_the_published_snapshot_is_cached_and_its_version_asked_only_now_and_then(
    django_assert_num_queries: Any,
) -> None:
    from patterns.catalog import recheck_now

    published_snapshot()
    with django_assert_num_queries(0):  # within CATALOG_RECHECK_SECONDS: no query at all
        assert published_snapshot().version == "v1"
    recheck_now()
    with django_assert_num_queries(1):  # then one small query says the cached version is still the latest
        assert published_snapshot().version == "v1"


def test_a_version_published_elsewhere_is_served_after_the_recheck(settings: Any, curator: User) -> None:
    from patterns.catalog import published_catalog

    settings.CATALOG_RECHECK_SECONDS = 3600
    assert published_catalog().version == "v1"
    Pattern.objects.filter(slug="pcf").update(summary="Changed by another replica.")
    CatalogVersion.objects.create(number=2, note="From another process.", content={**catalog_export(), "version": "v2"},
                                  content_hash="elsewhere", regression=[])  # fmt: skip
    assert published_catalog().version == "v1"  # this process hasn't asked again yet
    settings.CATALOG_RECHECK_SECONDS = 0
    assert published_catalog().version == "v2"


def test_addcurator_makes_a_curator(bob: User) -> None:
    call_command("addcurator", "bob", stdout=io.StringIO())
    bob.refresh_from_db()
    assert bob.is_staff and bob.groups.filter(name=CURATORS_GROUP).exists()


def test_a_rollback_makes_the_draft_match_the_version_exactly(curator: User) -> None:
    from patterns.models import Scenario
    from patterns.publishing import draft_differs_from_published

    extra = Scenario.objects.first()
    extra.pk, extra.slug, extra.title = None, "added-after-v1", "Added after v1"
    extra.save()
    version_publish(actor=curator, note="Add a scenario.")
    version_rollback(version=CatalogVersion.objects.get(number=1), actor=curator)
    assert not Scenario.objects.filter(slug="added-after-v1").exists()
    assert not draft_differs_from_published()
    assert CurationEvent.objects.filter(action="removed", actor=curator, object_repr="Added after v1").exists()


def test_catalog_pages_and_the_api_show_only_the_published_version(client: Client) -> None:
    from tests.factories import publish_draft

    Pattern.objects.filter(slug="pcf").update(summary="An unpublished summary.")
    page = reverse("patterns:detail", args=["pcf"])
    assert "An unpublished summary." not in client.get(page).content.decode()
    assert client.get(reverse("api:pattern", args=["pcf"])).json()["summary"] != "An unpublished summary."
    publish_draft()
    assert "An unpublished summary." in client.get(page).content.decode()
    assert client.get(reverse("api:pattern", args=["pcf"])).json()["catalog_version"] == "v2"


def test_a_fit_curated_for_one_scope_is_exported_and_published_as_that_scopes_override(curator: User) -> None:
    odata = Pattern.objects.get(slug="odata")
    Fit.objects.create(pattern=odata, question="volume", value="low", scope="fno_dataverse", level="weak",
                       rationale="Dual-write or virtual tables carry this between the apps.")  # fmt: skip
    exported = next(p for p in catalog_export()["patterns"] if p["slug"] == "odata")["fits"]["volume"]["low"]
    assert exported["by_scope"] == {"fno_dataverse": {"fit": "weak", "why": "Dual-write or virtual tables carry "
                                                      "this between the apps."}}  # fmt: skip
    version_publish(actor=curator, note="OData between the apps.", override_reason="scenarios may move")
    snapshot = published_snapshot()
    entry = next(p for p in snapshot.patterns if p.slug == "odata")
    assert entry.fits_for("fno_dataverse")["volume", "low"].level == "weak"
    assert entry.fits_for("fno_external")["volume", "low"].level == exported["fit"]


def test_a_scenario_whose_stated_confidence_changes_needs_a_reason_to_publish(curator: User) -> None:
    scenario = Scenario.objects.filter(expected_fit="strong").select_related("expected_pattern").first()
    scenario.expected_fit = "partial"
    scenario.save()
    with pytest.raises(ValidationError) as error:
        version_publish(actor=curator, note="Stated confidence changed.")
    assert scenario.title in str(error.value) and "expected confidence" in str(error.value)


def test_limits_round_trip_and_a_curated_change_reaches_the_check_only_when_published(curator: User) -> None:
    from patterns.models import Limit
    from patterns.ranking.recommender import recommend
    from patterns.requirements import Requirements

    shipped = {limit["slug"]: limit for limit in read_content(CONTENT_FILE)["limits"]}
    exported = {limit["slug"]: limit for limit in catalog_export()["limits"]}
    assert exported.keys() == shipped.keys()
    assert exported["webhook-payload-kb"]["value"] == 256 and exported["webhook-payload-kb"]["patterns"] == [
        "dataverse-events",
        "webhooks",
    ]
    Limit.objects.filter(slug="webhook-payload-kb").update(value=512)
    big = Requirements.from_mapping({"scope": "ce_external", "goal": "event_notification",
                                     "capacity": {"record_size_kb": 300}})  # fmt: skip
    before = recommend(big, published_snapshot()).by_pattern()["webhooks"].capacity  # still v1: past 256 KB, near
    assert before.verdict == "near_limit" and before.estimates[0].another_way  # (the receiver reads the row)
    version_publish(actor=curator, note="Webhook payload limit raised.", override_reason="Testing limits.")
    assert recommend(big, published_snapshot()).by_pattern()["webhooks"].capacity.verdict == "within"


def test_a_guidance_figure_stays_guidance_once_published() -> None:
    odata = next(p for p in published_snapshot().patterns if p.slug == "odata")
    assert any(limit.guidance for limit in odata.limits)
    limits = {limit["slug"]: limit for limit in catalog_export()["limits"]}
    assert limits["fno-odata-records-per-hour"]["guidance"] is True


def test_saving_a_pattern_unchanged_in_the_admin_keeps_its_line_endings(client: Client, curator: User) -> None:
    client.force_login(curator)
    pattern = Pattern.objects.get(slug="iframe-ce")
    before = pattern.description
    assert "\n" in before and "\r" not in before
    page = client.get(reverse("admin:patterns_pattern_change", args=[pattern.pk])).content.decode()
    data = {name: value.replace("\n", "\r\n") for name, value in _form_values(page).items()}  # as a browser sends
    response = client.post(reverse("admin:patterns_pattern_change", args=[pattern.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pattern.refresh_from_db()
    assert pattern.description == before
    # (this harness keeps one option of a multiple select, so only the scenarios' alternatives may read as changed)
    changed = CurationEvent.objects.filter(pattern=pattern, action="changed")
    assert {key for event in changed for key in event.changes} <= {"alternatives"}


def test_the_publish_page_names_patterns_and_shows_changed_words(client: Client, curator: User) -> None:
    break_webhooks_for_low_volume()
    summary = Pattern.objects.get(slug="pcf").summary
    Pattern.objects.filter(slug="pcf").update(summary=f"{summary} Built with TypeScript.")
    client.force_login(curator)
    page = client.get(reverse("curation:publish")).content.decode()
    regression = page[page.index("Scenario regression") : page.index("What the draft changes")]
    assert "Webhooks" in regression and "webhooks," not in regression and ">webhooks<" not in regression
    changes = page[page.index("What the draft changes") :]
    assert "How much data: " in changes  # the question and answer by label, not volume=low
    assert "services.<ins> Built with TypeScript.</ins>" in changes  # only the new words are marked


def test_word_diff_marks_only_the_words_that_changed() -> None:
    from patterns.publishing import word_diff

    assert word_diff("Reads data in near real time.", "Reads records in real time.") == [
        ("same", "Reads "),
        ("removed", "data"),
        ("added", "records"),
        ("same", " in "),
        ("removed", "near "),
        ("same", "real time."),
    ]


def test_word_diff_keeps_a_word_whose_punctuation_now_continues() -> None:
    from patterns.publishing import word_diff

    assert word_diff("event rates.", "event rates. Keep it small.") == [
        ("same", "event rates."),
        ("added", " Keep it small."),
    ]


def test_a_rollback_needs_a_confirmation(client: Client, curator: User) -> None:
    version_publish(actor=curator, note="Change.", override_reason="Testing rollback.")
    client.force_login(curator)
    assert "Yes, roll back to v1" in client.get(reverse("curation:overview")).content.decode()
    refused = client.post(reverse("curation:rollback", args=[1]), follow=True)
    assert "confirm the rollback" in refused.content.decode()
    assert CatalogVersion.objects.count() == 2
    client.post(reverse("curation:rollback", args=[1]), {"confirm": "yes"})
    assert CatalogVersion.objects.count() == 3


def test_a_rewritten_text_reads_whole_not_word_against_word() -> None:
    from patterns.publishing import word_diff

    assert word_diff("Simple and cheap at modest rates.", "Webhooks are being retired here.") == [
        ("removed", "Simple and cheap at modest rates."),
        ("added", "Webhooks are being retired here."),
    ]


NEW_QUESTIONS = ("trigger", "lives_in", "consumer", "team_platform", "document_kind")


def test_a_version_from_before_the_vocabulary_grew_rolls_back_neutral_on_the_new_questions(curator: User) -> None:
    old = read_content()
    old["weights"] = {q: w for q, w in old["weights"].items() if q not in NEW_QUESTIONS}
    for pattern in old["patterns"]:
        pattern["fits"] = {q: fits for q, fits in pattern["fits"].items() if q not in NEW_QUESTIONS}
    for caution in old["cautions"]:
        del caution["checked"]  # cautions carried no date then
    del old["rules"]
    legacy = CatalogVersion.objects.create(number=90, note="Before Advice 3.0.", content=old, content_hash="x")
    rolled = version_rollback(version=legacy, actor=curator)
    assert rolled.note == "Rollback to v90."
    assert not Fit.objects.filter(question="trigger").exclude(level="neutral").exists()
    assert rolled.content["weights"]["trigger"] == 0
    # The rankings are what the old version gave: an answer to a question it didn't know changes nothing.
    body = {"scope": "fno_external", "goal": "event_notification", "direction": "outbound"}

    def order(answer: dict[str, Any]) -> list[tuple[str, float]]:
        return [(option["pattern"], option["score"]) for option in answer["options"]]

    assert order(recommend_api(body)) == order(recommend_api({**body, "trigger": "record_change"}))


def test_a_rule_added_in_the_admin_is_in_the_diff_and_reaches_rankings_only_when_published(
    client: Client, curator: User
) -> None:
    from patterns.models import Rule

    body = {"scope": "fno_external", "goal": "data_sync", "timing": "synchronous", "volume": "low"}
    assert recommend_api(body)["options"][0]["pattern"] == "odata"
    client.force_login(curator)
    response = client.post(reverse("admin:patterns_rule_add"), {
        "title": "No OData here", "slug": "no-odata-here", "patterns": [Pattern.objects.get(slug="odata").pk],
        "conditions": '{"volume": ["low"]}', "numbers": "{}", "effect": "exclude", "points": "", "cap": "",
        "text": "Testing a rule.", "source_url": "https://learn.microsoft.com/en-us/dynamics365/x",
        "checked": "2026-12-05",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Rule.objects.filter(slug="no-odata-here").exists()
    assert CurationEvent.objects.filter(object_type="rule", action="added").exists()
    assert recommend_api(body)["options"][0]["pattern"] == "odata"  # the draft isn't what architects see
    _, published = published_content()
    assert published is not None
    diff = catalog_diff(published, catalog_export())
    assert [change["title"] for change in diff["rules"]] == ["No OData here"]
    version_publish(actor=curator, note="A rule.", override_reason="Testing a rule.")
    answer = recommend_api(body)
    assert "odata" not in [o["pattern"] for o in answer["options"]]
    excluded = next(e for e in answer["excluded"] if e["pattern"] == "odata")
    assert excluded["rules"][0]["rule"] == "no-odata-here"


def test_bad_rule_data_in_the_admin_is_refused_naming_the_field(client: Client, curator: User) -> None:
    client.force_login(curator)
    response = client.post(reverse("admin:patterns_rule_add"), {
        "title": "Bad", "slug": "bad", "patterns": [Pattern.objects.get(slug="odata").pk],
        "conditions": '{"timing": ["whenever"]}', "numbers": '{"bananas": {"min": 1}}', "effect": "points",
        "points": "0", "cap": "", "text": "Why.", "source_url": "https://example.com/page", "checked": "2026-12-05",
    })  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"conditions", "numbers", "source_url"}
    from patterns.models import Rule

    assert not Rule.objects.filter(slug="bad").exists()
