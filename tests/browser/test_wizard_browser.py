"""An architect's full run with a mouse: sign in, wizard with a step back, what-if, save, find the project."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_an_architect_runs_the_wizard_and_saves_the_result(page: Page, live_server: LiveServer, catalog: None) -> None:
    get_user_model().objects.create_user("ada", password="ada-long-password")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in(page, live_server.url, "ada", "/wizard/")
    page.get_by_role("button", name="Start the wizard").click()

    expect(page.locator(".progress-label")).to_have_text("Step 1 of 4")
    page.get_by_role("radio", name=re.compile("^Finance and operations apps with another system")).check()
    page.get_by_role("radio", name=re.compile("^Exchange or synchronise data")).check()
    page.get_by_role("button", name="Next →").click()

    expect(page.locator(".progress-label")).to_have_text("Step 2 of 6")
    # The new step's heading has focus (a screen reader reads it; the next Tab is its first question).
    expect(page.locator("#wizard-panel h1")).to_be_focused()
    page.keyboard.press("Tab")
    focused = "document.activeElement.type + ':' + document.activeElement.name"
    first_question = page.locator("#wizard-panel fieldset input").first.get_attribute("name")
    assert page.evaluate(focused) == f"radio:{first_question}"
    page.get_by_role("radio", name=re.compile("^Into Dynamics 365")).check()
    page.get_by_role("radio", name=re.compile("^Immediately, and the caller waits")).check()
    page.get_by_role("radio", name=re.compile("^Low")).check()
    # One step back: the first answers are still there.
    page.get_by_role("button", name="← Back").click()
    expect(page.locator(".progress-label")).to_have_text("Step 1 of 6")
    expect(page.get_by_role("radio", name=re.compile("^Exchange or synchronise data"))).to_be_checked()
    page.get_by_role("button", name="Next →").click()
    expect(page.get_by_role("radio", name=re.compile("^Into Dynamics 365"))).to_be_checked()
    page.get_by_role("button", name="Next →").click()
    expect(page.locator(".progress-label")).to_have_text("Step 3 of 6")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator(".progress-label")).to_have_text("Step 4 of 6")
    page.get_by_role("button", name="Next →").click()
    expect(page.locator(".progress-label")).to_have_text("Step 5 of 6")
    page.get_by_label("Records per day").fill("2000")
    page.get_by_role("button", name="Next →").click()

    expect(page.locator(".progress-label")).to_have_text("Step 6 of 6")
    expect(page.get_by_text("2,000")).to_be_visible()
    expect(page.get_by_text("Immediately, and the caller waits")).to_be_visible()
    page.get_by_role("button", name="See the ranking →").click()

    winner = page.locator(".winner")
    expect(winner.get_by_role("link", name="OData", exact=True)).to_be_visible()
    expect(winner).to_contain_text("throttles")

    # What if the volume were high? The ranking changes in place, nothing saved yet.
    page.get_by_label("What if…").select_option("volume=high")
    expect(page.locator(".what-if-banner")).to_be_visible()
    expect(winner.get_by_role("link", name="Custom services")).to_be_visible()
    page.get_by_role("link", name="Undo").click()
    expect(page.locator(".winner").get_by_role("link", name="OData", exact=True)).to_be_visible()

    page.get_by_label("Integration name").fill("Web shop sales orders")
    page.get_by_label("New project name").fill("Order to cash")
    page.get_by_role("button", name="Save to project").click()
    expect(page.get_by_role("heading", name="Web shop sales orders")).to_be_visible()

    page.get_by_role("link", name="My projects").first.click()
    page.get_by_role("link", name="Order to cash").click()
    expect(page.get_by_role("cell", name="OData")).to_be_visible()
    expect(page.get_by_text("Solution by Design checklist")).to_be_visible()
    expect(page.locator(".checklist > li")).to_have_count(
        20
    )  # the 19 curated tasks and the throttling task OData brings
    assert errors == [], errors


def test_when_nothing_fits_well_one_click_shows_what_would(page: Page, live_server: LiveServer, catalog: None) -> None:
    from portal.services.drafts import draft_create

    user = get_user_model().objects.create_user("ada", password="ada-long-password")
    draft = draft_create(owner=user, answers={"scope": "fno_external", "goal": "embed_ui", "ui_kind": "low_code_app",
                                              "deployment": "on_premises", "prefers_low_code": True})  # fmt: skip
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server.url, "ada", f"/wizard/{draft.pk}/results/")

    winner = page.locator(".winner")
    expect(winner.locator(".eyebrow")).to_have_text("Closest option · partial fit")
    expect(page.get_by_text("Best fit", exact=True)).to_have_count(0)
    page.get_by_role("link", name=re.compile("set to Cloud, Embedded Power Apps fits")).click()

    expect(page.locator(".what-if-banner")).to_contain_text("Where Dynamics 365 runs were “Cloud”")
    # The page stays where the change is: the banner (with "Keep this answer") in view and focused.
    expect(page.locator(".what-if-banner")).to_be_focused()
    expect(page.get_by_role("button", name="Keep this answer")).to_be_in_viewport()
    expect(page.locator(".winner .eyebrow")).to_have_text("Best fit")
    expect(page.locator(".winner h2")).to_contain_text("Embedded Power Apps")
    expect(page).to_have_url(re.compile(r"what_if=deployment%3Dcloud"))
    page.get_by_role("button", name="Keep this answer").click()
    expect(page.locator(".winner .eyebrow")).to_have_text("Best fit")
    assert errors == [], errors


def test_on_a_phone_a_relaxation_keeps_its_banner_in_view(page: Page, live_server: LiveServer, catalog: None) -> None:
    from portal.services.drafts import draft_create

    user = get_user_model().objects.create_user("ada", password="ada-long-password")
    draft = draft_create(owner=user, answers={"scope": "fno_external", "goal": "embed_ui", "ui_kind": "low_code_app",
                                              "deployment": "on_premises", "prefers_low_code": True})  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "ada", f"/wizard/{draft.pk}/results/")
    link = page.get_by_role("link", name=re.compile("set to Cloud, Embedded Power Apps fits"))
    link.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    link.click()
    expect(page.locator(".what-if-banner")).to_be_focused()
    expect(page.get_by_role("button", name="Keep this answer")).to_be_in_viewport()
    assert abs(page.evaluate("window.scrollY") - before) < 1500  # it used to land some 10,000 px further down
    page.get_by_role("link", name="Save this result ↓").click()
    expect(page.get_by_label("Integration name")).to_be_in_viewport()


def test_ranking_rows_line_up_and_fit_a_phone(page: Page, live_server: LiveServer, catalog: None) -> None:
    from portal.services.drafts import draft_create

    user = get_user_model().objects.create_user("ada", password="ada-long-password")
    draft = draft_create(owner=user, answers={"scope": "ce_external", "goal": "data_sync", "direction": "inbound"})
    sign_in(page, live_server.url, "ada", f"/wizard/{draft.pk}/results/")
    first = page.locator(".option-row summary").first
    rank, name = first.locator(".rank").bounding_box(), first.locator(".option-name").bounding_box()
    assert rank and name and rank["x"] < name["x"] and abs(rank["y"] - name["y"]) < 20  # same line, rank first
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_close_call_names_the_question_that_decides_and_one_click_answers_it(
    page: Page, live_server: LiveServer, catalog: None
) -> None:
    from portal.services.drafts import draft_create

    user = get_user_model().objects.create_user("ada", password="ada-long-password")
    draft = draft_create(owner=user, answers={"scope": "fno_external", "goal": "event_notification",
                                              "direction": "outbound", "timing": "near_real_time"})  # fmt: skip
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server.url, "ada", f"/wizard/{draft.pk}/results/")

    winner = page.locator(".winner")
    expect(winner.locator(".eyebrow")).to_have_text("A close call · strong fit")
    expect(page.get_by_text("Best fit", exact=True)).to_have_count(0)
    expect(winner.locator(".close-call h3")).to_have_text(
        "A close call between Business events (finance and operations) and Finance and operations data events: "
        "it depends on “What starts it”"
    )
    page.get_by_role("link", name="A record changes").click()

    expect(page.locator(".what-if-banner")).to_contain_text("What starts it were “A record changes”")
    expect(page.locator(".winner h2")).to_contain_text("Finance and operations data events")
    expect(page.locator(".winner .eyebrow")).to_have_text("Best fit")
    expect(page).to_have_url(re.compile(r"what_if=trigger%3Drecord_change"))
    assert errors == [], errors
