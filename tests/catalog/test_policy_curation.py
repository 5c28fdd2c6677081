"""The organisation's policies curated like the catalog: added in the admin, loaded and exported, diffed, published
with the scenario regression, and applied to every ranking of the published version."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from patterns.content import CONTENT_FILE, ContentError, read_content, validate_content
from patterns.curators import CURATORS_GROUP
from patterns.draft import catalog_export
from patterns.loader import catalog_load
from patterns.models import CatalogVersion, CurationEvent, Pattern, Policy, PolicyEffect, Scenario
from patterns.publishing import catalog_diff, draft_differs_from_published, scenario_regression, version_publish
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CE_BATCH = {"scope": "ce_external", "goal": "data_sync", "timing": "scheduled_batch"}
FNO_BATCH = {"scope": "fno_external", "goal": "data_sync", "timing": "scheduled_batch"}
ADD_POLICY = reverse("admin:patterns_policy_add")


@pytest.fixture
def curator(db: None) -> User:
    user = make_user("cora", staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


@pytest.fixture
def curating(client: Client, curator: User) -> Client:
    client.force_login(curator)
    return client


def recommend_api(body: dict[str, Any]) -> dict[str, Any]:
    return Client().post(reverse("api:recommendations"), json.dumps(body), content_type="application/json").json()


def policy_form(effects: list[tuple[str, str]], **fields: str) -> dict[str, Any]:
    """The admin's add form for a policy, with one inline row per (pattern slug, effect)."""
    data: dict[str, Any] = {
        "title": "No Synapse Link for customer engagement", "slug": "no-synapse-link-ce",
        "conditions": '{"scope": ["ce_external"]}', "text": "Our data platform team doesn't run Synapse.",
        "source_url": "", "effects-TOTAL_FORMS": str(len(effects)), "effects-INITIAL_FORMS": "0",
        "effects-MIN_NUM_FORMS": "0", "effects-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for index, (slug, effect) in enumerate(effects):
        data[f"effects-{index}-pattern"] = str(Pattern.objects.get(slug=slug).pk)
        data[f"effects-{index}-effect"] = effect
    return data | fields


def names(options: list[dict[str, Any]]) -> list[str]:
    return [option["pattern"] for option in options]


def test_a_policy_a_curator_adds_and_publishes_forbids_its_pattern_for_its_scope_only(curating: Client) -> None:
    """Acceptance: a policy that forbids a pattern for one scope, added in the admin and published, rules it out of
    that scope's rankings with the policy among the exclusion's reasons; another scope, and the same request once the
    policy is gone, rank it as before."""
    ce_before, fno_before = recommend_api(CE_BATCH), recommend_api(FNO_BATCH)
    assert ce_before["options"][0]["pattern"] == "synapse-link" and "synapse-link" in names(fno_before["options"])

    added = curating.post(ADD_POLICY, policy_form([("synapse-link", "forbid")]))
    assert added.status_code == 302, added.content.decode()
    published = curating.post(reverse("curation:publish"), {"note": "Our organisation's first policy."})
    assert published.status_code == 302

    ce = recommend_api(CE_BATCH)
    assert ce["catalog_version"] == "v2" and "synapse-link" not in names(ce["options"])
    exclusion = next(e for e in ce["excluded"] if e["pattern"] == "synapse-link")
    assert any("No Synapse Link for customer engagement" in reason for reason in exclusion["reasons"])
    assert exclusion["policies"][0]["slug"] == "no-synapse-link-ce" and exclusion["policies"][0]["effect"] == "forbid"
    assert ce["without_policies"]["pattern"] == "synapse-link"
    assert recommend_api(FNO_BATCH) == fno_before | {"catalog_version": "v2"}

    Policy.objects.get(slug="no-synapse-link-ce").delete()
    version_publish(actor=None, note="The policy is withdrawn.")
    assert recommend_api(CE_BATCH) == ce_before | {"catalog_version": "v3"}


def test_adding_a_policy_in_the_admin_is_recorded_with_its_effects(curating: Client, curator: User) -> None:
    curating.post(ADD_POLICY, policy_form([("synapse-link", "forbid"), ("logic-apps", "prefer")]))
    policy = Policy.objects.get(slug="no-synapse-link-ce")
    assert dict(policy.effects.values_list("pattern__slug", "effect")) == {"synapse-link": "forbid",
                                                                           "logic-apps": "prefer"}  # fmt: skip
    assert policy.conditions == {"scope": ["ce_external"]}
    events = CurationEvent.objects.filter(actor=curator, object_type__in=["policy", "policy effect"])
    assert events.filter(action="added").count() == 3
    exported = next(p for p in catalog_export()["policies"] if p["slug"] == "no-synapse-link-ce")
    assert exported["effects"] == {"logic-apps": "prefer", "synapse-link": "forbid"} and "source_url" not in exported


@pytest.mark.parametrize(
    ("effects", "fields", "message"),
    [
        ([], {}, "Add at least one pattern the policy prefers, avoids or forbids."),
        ([("synapse-link", "ban")], {}, "Select a valid choice. ban is not one of the available choices."),
        ([("synapse-link", "forbid")], {"conditions": '{"colour": ["blue"]}'}, "Unknown question"),
        ([("synapse-link", "forbid")], {"conditions": '{"scope": ["mars"]}'}, "scope: use a non-empty list of"),
        ([("synapse-link", "forbid")], {"source_url": "http://intranet.example.com/p"}, "Enter a valid URL."),
        ([("synapse-link", "forbid"), ("synapse-link", "prefer")], {}, "Please correct the duplicate data"),
    ],
)
def test_the_admin_refuses_a_policy_the_content_file_would_refuse(
    curating: Client, effects: list[tuple[str, str]], fields: dict[str, str], message: str
) -> None:
    response = curating.post(ADD_POLICY, policy_form(effects, **fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Policy.objects.exists()


def test_a_policy_whose_source_is_the_organisations_own_https_page_is_accepted(curating: Client) -> None:
    form = policy_form([("synapse-link", "forbid")], source_url="https://intranet.example.com/standards/42")
    assert curating.post(ADD_POLICY, form).status_code == 302
    assert Policy.objects.get().source_url == "https://intranet.example.com/standards/42"


def test_a_policy_edited_in_the_admin_needs_non_empty_text(curator: User) -> None:
    from django.core.exceptions import ValidationError

    policy = Policy(slug="blank", title="   ", text="Why.")
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "title" in error.value.message_dict


def test_curators_may_edit_policies_and_others_may_not_reach_them(client: Client, bob: User, curator: User) -> None:
    granted = Permission.objects.filter(group__name=CURATORS_GROUP, content_type__model__in=["policy", "policyeffect"])
    assert {p.codename for p in granted} >= {"add_policy", "change_policy", "delete_policy", "add_policyeffect"}
    client.force_login(bob)
    assert client.get(ADD_POLICY).status_code == 302  # to the admin's sign-in
    client.force_login(curator)
    assert client.get(ADD_POLICY).status_code == 200


def with_policy(**policy: Any) -> dict[str, Any]:
    content = copy.deepcopy(read_content(CONTENT_FILE))
    content["policies"] = [{"slug": "no-synapse-link-ce", "title": "No Synapse Link for customer engagement",
                            "text": "Our data platform team doesn't run Synapse.", "when": {"scope": ["ce_external"]},
                            "effects": {"synapse-link": "forbid"}} | policy]  # fmt: skip
    return content


def test_policies_load_into_the_draft_export_back_the_same_and_reload_idempotently() -> None:
    content = with_policy(source_url="https://intranet.example.com/p")
    report = catalog_load(data=content)
    assert report.created == ["policy no-synapse-link-ce"]
    assert catalog_export()["policies"] == content["policies"]
    again = catalog_load(data=content)
    assert again.created == [] and again.updated == [] and again.kept_edits == []


def test_a_policy_edited_in_the_admin_is_kept_when_the_file_is_loaded_again() -> None:
    catalog_load(data=with_policy())
    PolicyEffect.objects.filter(policy__slug="no-synapse-link-ce").update(effect="avoid")
    report = catalog_load(data=with_policy(text="Changed in the file."))
    assert report.kept_edits == ["policy no-synapse-link-ce"]
    assert Policy.objects.get().effects.get().effect == "avoid"
    catalog_load(data=with_policy(text="Changed in the file."), overwrite=True)
    assert Policy.objects.get().text == "Changed in the file." and Policy.objects.get().effects.get().effect == "forbid"


def test_a_rollback_to_a_version_without_policies_removes_them_from_the_draft() -> None:
    from patterns.publishing import version_rollback

    catalog_load(data=with_policy())
    version_publish(actor=None, note="A policy.")
    version_rollback(version=CatalogVersion.objects.get(number=1), actor=None)
    assert not Policy.objects.exists()
    assert recommend_api(CE_BATCH)["options"][0]["pattern"] == "synapse-link"


def test_a_version_published_before_policies_existed_matches_a_draft_without_any() -> None:
    version = CatalogVersion.objects.get(number=1)
    version.content = {key: value for key, value in version.content.items() if key != "policies"}
    version.save()
    assert not draft_differs_from_published()


def test_the_diff_and_the_publish_page_show_a_policy_with_the_patterns_it_names(curating: Client) -> None:
    before = catalog_export()
    catalog_load(data=with_policy())
    change = catalog_diff(before, catalog_export())["policies"]
    effects = f"forbid {Pattern.objects.get(slug='synapse-link').name}"  # names, not slugs
    assert [(c["title"], c["status"], c["effects"], c["when"]) for c in change] == [
        ("No Synapse Link for customer engagement", "added", effects,
         "Systems involved: Customer engagement apps (Dataverse) with another system")
    ]  # fmt: skip
    page = curating.get(reverse("curation:publish")).content.decode()
    assert "<h3>Your organisation's policies</h3>" in page and effects in page


def test_a_policy_that_changes_a_scenarios_first_pick_is_named_but_does_not_break_it() -> None:
    """Scenarios state the catalog's own advice: a policy that forbids a scenario's expected pattern is a choice the
    organisation made, so the regression names it and the publish needs no override."""
    expected = Scenario.objects.filter(answers__scope="ce_external").select_related("expected_pattern").first()
    assert expected is not None
    catalog_load(data=with_policy(effects={expected.expected_pattern.slug: "forbid"}))
    row = next(r for r in scenario_regression(catalog_export(), None) if r["scenario"] == expected.slug)
    assert row["draft_top"][0] != expected.expected_pattern.slug and not row["broken"]
    assert (
        row["policy_first"] == f"Without your organisation's policies, {expected.expected_pattern.name} would be first."
    )
    assert version_publish(actor=None, note="A policy.").override_reason == ""


def test_loadcatalog_refuses_bad_policy_data_naming_the_field(tmp_path: Any) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(with_policy(effects={"synapse-link": "ban"})))
    with pytest.raises(Exception) as error:
        call_command("loadcatalog", str(path))
    assert "policy no-synapse-link-ce.effects.synapse-link: must be one of prefer, avoid, forbid" in str(error.value)
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"When": {"scope": ["ce_external"]}}, "policy no-synapse-link-ce.When: unknown key"),
        ({"conditions": {"scope": ["ce_external"]}}, "policy no-synapse-link-ce.conditions: unknown key"),
        ({"source_url": "https://intranet.example.com/our standards"}, "policy no-synapse-link-ce.source_url: must"),
        ({"source_url": "https://intranet.example.com/" + "p" * 480}, "policy no-synapse-link-ce.source_url: must"),
        ({"slug": "politique-données"}, "must be a slug of letters (a to z), digits and hyphens"),
    ],
    ids=["a misspelt when", "the admin's field name", "a space in the source", "a source too long", "a non-ASCII slug"],
)
def test_policy_content_the_loader_would_refuse_or_misread_is_refused_naming_the_field(
    policy: dict[str, Any], message: str
) -> None:
    # A misspelt "when" was ignored, and the policy then forbade its pattern for every ranking.
    content = with_policy(**policy)
    if "When" in policy or "conditions" in policy:
        del content["policies"][0]["when"]
    with pytest.raises(ContentError) as refused:
        validate_content(content)
    assert any(message in problem for problem in refused.value.errors), refused.value.errors


@pytest.mark.parametrize("when", ["", "null", "[]"])
def test_a_policy_whose_when_box_is_left_empty_applies_to_every_ranking(curating: Client, when: str) -> None:
    assert curating.post(ADD_POLICY, policy_form([("synapse-link", "forbid")], conditions=when)).status_code == 302
    assert Policy.objects.get().conditions == {}
    assert curating.get(reverse("admin:patterns_policy_changelist")).status_code == 200
    assert curating.post(reverse("curation:publish"), {"note": "A policy for everyone."}).status_code == 302
    assert "synapse-link" not in names(recommend_api(FNO_BATCH)["options"])
