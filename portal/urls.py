from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from portal import account_views, api, export_views, project_views, team_views, teams_views, views, wizard_views

wizard_patterns = (
    [
        path("", wizard_views.start, name="start"),
        path("new/", wizard_views.new, name="new"),
        path("<int:draft_id>/results/", wizard_views.results, name="results"),
        path("<int:draft_id>/what-if/", wizard_views.keep_what_if, name="keep_what_if"),
        path("<int:draft_id>/save/", wizard_views.save, name="save"),
        path("<int:draft_id>/discard/", wizard_views.discard, name="discard"),
        path("<int:draft_id>/<slug:key>/", wizard_views.step, name="step"),
    ],
    "wizard",
)
project_patterns = (
    [
        path("", project_views.project_list, name="list"),
        path("new/", project_views.project_new, name="new"),
        path("<int:project_id>/", project_views.project_detail, name="detail"),
        path(
            "<int:project_id>/integrations/<int:integration_id>/", project_views.integration_detail, name="integration"
        ),
        path(
            "<int:project_id>/integrations/<int:integration_id>/decision/",
            team_views.decision_save_view,
            name="decision_save",
        ),
        path(
            "<int:project_id>/integrations/<int:integration_id>/decision/approve/",
            team_views.decision_approve_view,
            name="decision_approve",
        ),
        path(
            "<int:project_id>/integrations/<int:integration_id>/decision/status/",
            team_views.decision_status_view,
            name="decision_status",
        ),
        path(
            "<int:project_id>/integrations/<int:integration_id>/comments/",
            team_views.comment_add_view,
            name="comment_add",
        ),
        path(
            "<int:project_id>/integrations/<int:integration_id>/rerank/",
            team_views.rerank,
            name="rerank",
        ),
        path("<int:project_id>/checklist/<int:entry_id>/", team_views.checklist_entry_edit, name="checklist_entry"),
        path("<int:project_id>/history/", team_views.history, name="history"),
        path("<int:project_id>/milestones/", team_views.milestones, name="milestones"),
        path("<int:project_id>/milestones/compare/", team_views.milestone_compare, name="milestone_compare"),
        path("<int:project_id>/settings/", team_views.project_settings, name="settings"),
        path("<int:project_id>/export/<slug:fmt>", export_views.project_export, name="export"),
    ],
    "projects",
)
account_patterns = (
    [
        path("", account_views.profile, name="profile"),
        path("tokens/", account_views.token_create, name="token_create"),
        path("tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token_revoke"),
    ],
    "account",
)
team_patterns = (
    [
        path("", teams_views.team_list, name="list"),
        path("<int:team_id>/", teams_views.team_detail, name="detail"),
        path("<int:team_id>/members/", teams_views.member_add, name="member_add"),
        path("<int:team_id>/members/<int:membership_id>/role/", teams_views.member_role, name="member_role"),
        path("<int:team_id>/members/<int:membership_id>/remove/", teams_views.member_remove, name="member_remove"),
    ],
    "teams",
)
api_patterns = (
    [
        path("recommendations", api.recommendations, name="recommendations"),
        path("patterns", api.pattern_list, name="patterns"),
        path("patterns/<slug:slug>", api.pattern_detail, name="pattern"),
        path("projects", api.projects, name="projects"),
        path("projects/<int:project_id>", api.project_detail, name="project"),
        path("openapi.json", api.openapi, name="openapi"),
        re_path(r"^(?P<rest>.*)$", api.not_found),
    ],
    "api",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include(account_patterns)),
    path("wizard/", include(wizard_patterns)),
    path("projects/", include(project_patterns)),
    path("teams/", include(team_patterns)),
    path("api/v1/", include(api_patterns)),
    path("curation/", include("patterns.curation_urls")),
    path("admin/", admin.site.urls),
    path("", include("patterns.urls")),
]
