"""Pictures: the landscape, why-this-order bars, progress (sections, burn-up), the team dashboard bars and the
curators' heatmap; their text alternatives; and that they add no query per row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patterns.catalog import rank
from patterns.models import Fit
from patterns.requirements import Requirements
from portal.models import Integration, Project, Role
from portal.pictures.contributions import contribution_chart
from portal.pictures.landscape import DATAVERSE, FNO, Link, landscape
from portal.pictures.progress import Change, burnup, burnup_points
from portal.services.checklist import checklist_entry_update
from portal.services.decisions import decision_save
from portal.services.milestones import milestone_create
from tests.factories import make_draft, make_integration, make_team_project

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def link(name: str, scope: str = "fno_external", direction: str = "inbound", source: str = "", target: str = "",
         status: str = "none", pattern: str = "OData") -> Link:  # fmt: skip
    return Link(name, scope, direction, source, target, pattern, status)


# The landscape, as pure layout


def test_an_unnamed_inbound_integration_points_from_its_other_system_to_the_app() -> None:
    picture = landscape([link("Orders")])
    (edge,) = picture.edges
    assert (edge.start, edge.end, edge.both_ways) == ("Other system of “Orders”", FNO, False)
    assert {n.name: n.is_app for n in picture.nodes} == {"Other system of “Orders”": False, FNO: True}


def test_named_systems_become_the_boxes_and_outbound_points_away_from_the_app() -> None:
    picture = landscape([link("Prices", direction="outbound", source="F&O production", target="Web shop")])
    (edge,) = picture.edges
    assert (edge.start, edge.end) == ("F&O production", "Web shop")
    assert [n.name for n in picture.nodes if n.is_app] == ["F&O production"]


def test_dual_write_between_the_apps_goes_both_ways_in_the_middle_column() -> None:
    picture = landscape([link("Customers", scope="fno_dataverse", direction="bidirectional")])
    (edge,) = picture.edges
    assert edge.both_ways and {edge.start, edge.end} == {FNO, DATAVERSE}
    assert {n.column for n in picture.nodes} == {"middle"}


def test_each_decision_status_draws_its_own_line_and_says_its_name() -> None:
    picture = landscape([link("A", status="accepted"), link("B", status="proposed"), link("C", status="rejected")])
    styles = {(e.colour, e.dash) for e in picture.edges}
    assert len(styles) == 3
    assert [label for label, _, _ in picture.statuses] == ["accepted", "proposed", "rejected"]
    assert "OData · accepted" in picture.edges[0].text


CROWDS = {
    "twelve feeds": [link(f"Feed {i}", scope="ce_external" if i % 3 else "fno_external", direction="outbound",
                          target=f"System {i % 4}") for i in range(12)],
    "twenty-five of every kind": [link(f"Flow {i}", scope=("fno_external", "ce_external", "fno_dataverse")[i % 3],
                                       direction=("inbound", "outbound", "bidirectional")[i % 4 % 3],
                                       source=f"Source {i % 5}" if i % 2 else "", target=f"Target {i % 7}",
                                       pattern="A pattern with a name long enough to wrap") for i in range(25)],
}  # fmt: skip


@pytest.mark.parametrize("crowd", CROWDS)
def test_labels_never_cover_each_other_or_a_box(crowd: str) -> None:
    picture = landscape(CROWDS[crowd])
    boxes = [(label.x, label.y, label.width, label.height) for label in picture.labels]
    boxes += [(n.x, n.y, n.w, n.h) for n in picture.nodes]

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    assert not [pair for pair in combinations(boxes, 2) if overlap(*pair)]
    assert all(label.y >= 0 and label.y + label.height <= picture.height for label in picture.labels)


def test_a_label_sits_on_the_middle_of_its_arrow_when_nothing_is_there() -> None:
    picture = landscape([link("Orders", scope="fno_external", direction="inbound", source="Shop")])
    (edge,), (label,) = picture.edges, picture.labels
    assert label.x + label.width / 2 == pytest.approx((edge.x1 + edge.x2) / 2)


def test_a_long_pattern_name_wraps_to_two_lines_rather_than_being_cut() -> None:
    picture = landscape([link("Invoices", direction="outbound", target="Billing", status="accepted",
                              pattern="Business events (finance and operations)")])  # fmt: skip
    ((_, pattern, status, _),) = picture.labels[0].lines
    assert pattern == ("Business events (finance", "and operations)") and status == "accepted"
    assert "…" not in "".join(pattern)


def test_a_label_keeps_off_the_other_arrows_when_there_is_room() -> None:
    """The issue's picture: the label of Web shop → F&O (OData) sat on the line of PIM → F&O."""
    picture = landscape([
        link("Orders", source="Web shop", target="F&O", status="superseded"),
        link("Prices", source="PIM", target="F&O", status="rejected", pattern="Data management package REST API"),
        link("Invoices", direction="outbound", source="F&O", target="Billing", status="accepted",
             pattern="Business events (finance and operations)"),
        link("Customers", scope="fno_dataverse", direction="bidirectional", source="F&O", target="Dataverse",
             pattern="Dual-write"),
        link("Cases", scope="ce_external", direction="outbound", source="Dataverse", target="Billing",
             pattern="Power Automate cloud flows"),
    ])  # fmt: skip
    (label,) = [label for label in picture.labels if label.lines[0][1] == ("OData",)]
    others = [edge for edge in picture.edges if edge.link.pattern != "OData"]
    for edge in others:
        for i in range(1, 40):  # points along every other arrow stay outside the label
            x, y = edge.x1 + (edge.x2 - edge.x1) * i / 40, edge.y1 + (edge.y2 - edge.y1) * i / 40
            assert not (label.x < x < label.x + label.width and label.y < y < label.y + label.height), edge.link


# Why this order


def test_each_bar_adds_up_to_its_score_with_answers_in_the_same_place_on_every_bar(db: None) -> None:
    ranking = rank(Requirements.from_mapping({"scope": "fno_external", "goal": "data_sync", "direction": "inbound",
                                              "timing": "synchronous", "volume": "low"}))  # fmt: skip
    chart = contribution_chart(ranking)
    for bar in chart.bars:
        assert sum(s.width for s in bar.segments) == pytest.approx(bar.score, abs=0.2)
        assert [s.question for s in bar.segments] == [s.question for s in chart.bars[0].segments]
    ruled = {name for group in chart.ruled_out for name in group.names}
    assert ruled == {e.name for e in ranking.excluded}
    assert chart.bars[0].summary.startswith(f"{chart.bars[0].name}: {chart.bars[0].score:.0f} of 100.")


# Progress over time


def test_the_burnup_walks_the_history_back_from_todays_counts() -> None:
    changes = [
        Change(T0 + timedelta(days=1), "checklist updated", {"status": "open"}, {"status": "done"}),
        Change(T0 + timedelta(days=2), "checklist task added", None, {"condition": {}}),
        Change(T0 + timedelta(days=3), "checklist updated", {"status": "in_progress"}, {"status": "not_applicable"}),
        Change(T0 + timedelta(days=4), "checklist updated", {"status": "done"}, {"status": "open"}),
    ]
    points = burnup_points(start=T0, now=T0 + timedelta(days=5), closed=1, total=20, changes=changes)
    assert [(p.closed, p.total) for p in points] == [(0, 19), (1, 19), (1, 20), (2, 20), (1, 20), (1, 20)]
    chart = burnup(points, [(T0 + timedelta(days=2), "Design review")])
    assert chart is not None and [m.name for m in chart.milestones] == ["Design review"]
    assert "0 of 19 tasks closed at the start, 1 of 20 now, 1 milestone marked" in chart.summary


# On the pages


@pytest.fixture
def project(alice: User, bob: User) -> Project:
    return make_team_project(alice, bob=Role.REVIEWER)


def test_the_project_page_draws_the_landscape_progress_and_their_tables(
    client: Client, project: Project, alice: User
) -> None:
    first = make_integration(project, "Web shop orders")
    Integration.objects.filter(pk=first.pk).update(source_system="Web shop")
    decision_save(integration=first, actor=alice, chosen_pattern_slug=first.top_pattern_slug, rationale="x")
    entry = project.checklist_entries.all()[0]
    checklist_entry_update(entry=entry, actor=alice, expected_version=entry.version, status="done")
    milestone_create(project=project, name="Design review", actor=alice)
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'aria-labelledby="landscape-svg-title" aria-describedby="landscape-svg-desc"' in page
    assert "Web shop orders: Web shop → Finance and operations apps, OData · proposed." in page
    assert "Completion by section" in page and "Checklist over time" in page
    assert page.count("The same as a table") == 2
    assert "Milestone “Design review”" in page


def test_the_pictures_add_no_query_per_integration(
    client: Client, project: Project, alice: User, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    make_integration(project, "One")
    client.force_login(alice)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("projects:detail", args=[project.pk]))
    for index in range(8):
        integration = make_integration(project, f"More {index}")
        if index % 2:
            decision_save(integration=integration, actor=alice, chosen_pattern_slug=integration.top_pattern_slug,
                          rationale="x")  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("projects:detail", args=[project.pk]))


def test_the_integration_page_explains_the_order_with_bars(client: Client, project: Project, alice: User) -> None:
    integration = make_integration(project, "Web shop orders")
    client.force_login(alice)
    page = client.get(reverse("projects:integration", args=[project.pk, integration.pk])).content.decode()
    assert "Why this order" in page and 'class="bar"' in page and "rules out" in page


def test_the_markdown_export_draws_the_landscape_as_mermaid_and_a_table(
    client: Client, project: Project, alice: User
) -> None:
    integration = make_integration(project, 'Orders "quoted" | piped')
    Integration.objects.filter(pk=integration.pk).update(target_system="ERP [old]")
    client.force_login(alice)
    text = client.get(reverse("projects:export", args=[project.pk, "md"])).content.decode()
    block = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]
    assert "flowchart LR" in block and '"ERP old"' in block and "-->|" in block and "linkStyle 0 stroke:" in block
    assert "| Integration | From | To | Pattern | Decision |" in text


def test_the_team_dashboard_draws_statuses_and_completion(client: Client, project: Project, alice: User) -> None:
    make_integration(project, "Web shop orders")
    client.force_login(alice)
    page = client.get(reverse("teams:detail", args=[project.team_id])).content.decode()
    assert "Integrations by decision status" in page and 'aria-label="No decision yet: 1"' in page
    assert "Checklist completion by project" in page and f'aria-label="{project.name}: 0 of' in page


def test_systems_are_saved_from_the_wizard_and_the_api(client: Client, alice: User) -> None:
    from portal.services.drafts import draft_create

    answers = {"scope": "fno_external", "goal": "data_sync", "direction": "inbound", "timing": "synchronous"}
    draft = draft_create(owner=alice, answers=answers)
    client.force_login(alice)
    client.post(reverse("wizard:save", args=[draft.pk]), {"name": "Orders", "project": "new",
                "new_project_name": "Shop", "source_system": "Web shop", "target_system": "F&O"})  # fmt: skip
    saved = Integration.objects.get(name="Orders")
    assert (saved.source_system, saved.target_system) == ("Web shop", "F&O")


# The curators' heatmap


def test_the_heatmap_links_each_cell_to_its_fit_and_marks_what_changed(client: Client, alice: User) -> None:
    fit = Fit.objects.get(pattern__slug="webhooks", question="volume", value="low", scope="")
    Fit.objects.filter(pk=fit.pk).update(level="poor")
    client.force_login(alice)
    page = client.get(reverse("curation:heatmap"), {"question": "volume"}).content.decode()
    assert reverse("curation:fit", args=[fit.pk]) in page
    edit = client.get(reverse("curation:fit", args=[fit.pk]))
    assert edit["Location"] == reverse("admin:patterns_fit_change", args=[fit.pk])
    assert "{#" not in page  # a template comment never shows as text
    assert page.count("heat-changed") >= 1 and "(published: Strong fit)" in page
    assert "How fast the other side needs it" not in page.split("<table", 1)[1]
    publish = client.get(reverse("curation:publish")).content.decode()
    assert "Fits that change, on the heatmap" in publish and "heat-changed" in publish


def test_the_heatmap_is_for_curators(client: Client, bob: User) -> None:
    client.force_login(bob)
    assert client.get(reverse("curation:heatmap")).status_code in {403, 404}


def test_the_heatmap_costs_the_same_queries_for_all_questions(
    client: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        client.get(reverse("curation:heatmap"))


def test_systems_come_in_and_out_through_the_api(client: Client, alice: User) -> None:
    from portal.services.tokens import api_token_create

    _, secret = api_token_create(user=alice, name="ci")
    body = {"name": "Shop", "integrations": [{"name": "Orders", "source_system": "Web shop", "target_system": "F&O",
            "requirements": {"scope": "fno_external", "goal": "data_sync"}}]}  # fmt: skip
    response = client.post(reverse("api:projects"), body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert response.status_code == 201
    (integration,) = response.json()["integrations"]
    assert (integration["source_system"], integration["target_system"]) == ("Web shop", "F&O")
    body["integrations"][0]["source_system"] = 7
    refused = client.post(reverse("api:projects"), body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert refused.status_code == 400 and "integrations[0].source_system" in refused.json()["errors"]


def test_no_main_page_weighs_over_100_kb(client: Client, project: Project, alice: User) -> None:
    heavy = {"scope": "fno_dataverse", "goal": "data_sync", "direction": "bidirectional", "timing": "near_real_time",
             "volume": "medium", "capacity": {"records_per_day": 50_000, "peak_records_per_hour": 9_000}}  # fmt: skip
    integrations = [make_integration(project, f"Heavy {i}", heavy) for i in range(20)]
    client.force_login(alice)
    pages = [
        reverse("projects:detail", args=[project.pk]),
        reverse("curation:heatmap"),
        reverse("curation:publish"),
        reverse("projects:integration", args=[project.pk, integrations[0].pk]),
        reverse("decision_log"),
    ]
    # The heaviest answers among the curated scenarios: every answer given, so every option explains each of them.
    everything = {"scope": "fno_dataverse", "goal": "data_sync", "direction": "outbound", "timing": "near_real_time",
                  "volume": "medium", "deployment": "cloud", "data_residency": "replicate", "trigger": "record_change",
                  "consumer": "operational", "lives_in": "fno", "prefers_low_code": True,
                  "capacity": {"initial_load_records": 15000, "legal_entities": 3, "records_per_day": 500}}  # fmt: skip
    full = make_integration(project, "Everything answered", everything)
    pages += [reverse("projects:integration", args=[project.pk, full.pk]),
              reverse("wizard:results", args=[make_draft(alice, everything).pk])]  # fmt: skip
    for url in pages:
        assert len(client.get(url).content) < 100 * 1024, url


def test_a_label_takes_the_nearest_free_rung_up_before_down_and_may_touch_a_box_3px_away() -> None:
    from portal.pictures.placement import nearest_free

    assert nearest_free(100, 34, 400, []) == 0  # nothing there: where it is
    # A box from 90 to 130 (its end given with the 3px gap, 133): the label (34 tall) must clear it by 3px both ways.
    # Free above at top 52 (its bottom plus 3px is 89, above the box's 90: 48px up) or below at top 140 (40px down).
    assert nearest_free(100, 34, 400, [(90, 133)]) == 40
    assert nearest_free(100, 34, 400, [(90, 148)]) == -48  # a taller box: 48px either way, and up goes first
    assert nearest_free(100, 34, 30, []) is None  # taller than the picture
    assert nearest_free(133, 34, 400, [(90, 133)]) == 0  # its top exactly at the box's end plus 3px: free
    assert nearest_free(0, 34, 400, []) == 0 and nearest_free(-5, 34, 400, []) == 8  # never above the picture
