from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import probes
from portal.api import routes as api
from portal.auth import views as oidc
from portal.views import (
    account,
    channels,
    checklist,
    decisions,
    environments,
    home,
    integrations,
    inventory,
    invitations,
    milestones,
    notifications,
    portfolio,
    projects,
    teams,
    trackers,
)
from portal.wizard import views as wizard

wizard_patterns = (
    [
        path("", wizard.start, name="start"),
        path("new/", wizard.new, name="new"),
        path("<int:draft_id>/results/", wizard.results, name="results"),
        path("<int:draft_id>/what-if/", wizard.keep_what_if, name="keep_what_if"),
        path("<int:draft_id>/save/", wizard.save, name="save"),
        path("<int:draft_id>/discard/", wizard.discard, name="discard"),
        path("<int:draft_id>/template/", wizard.save_template, name="save_template"),
        path("<int:draft_id>/<slug:key>/", wizard.step, name="step"),
    ],
    "wizard",
)
integration = "<int:project_id>/integrations/<int:integration_id>/"
project_patterns = (
    [
        path("", projects.project_list, name="list"),
        path("new/", projects.project_new, name="new"),
        path("<int:project_id>/", projects.project_detail, name="detail"),
        path(integration, integrations.integration_detail, name="integration"),
        path(f"{integration}decision/", integrations.decision_save_view, name="decision_save"),
        path(f"{integration}decision/record/", decisions.decision_adr, name="decision_adr"),
        path(f"{integration}decision/approve/", integrations.decision_approve_view, name="decision_approve"),
        path(f"{integration}decision/status/", integrations.decision_status_view, name="decision_status"),
        path(f"{integration}comments/", integrations.comment_add_view, name="comment_add"),
        path(f"{integration}rerank/", integrations.rerank, name="rerank"),
        path(f"{integration}placement/", environments.integration_placement, name="placement"),
        path("<int:project_id>/checklist/<int:entry_id>/", checklist.checklist_entry_edit, name="checklist_entry"),
        path("<int:project_id>/history/", projects.history, name="history"),
        path("<int:project_id>/milestones/", milestones.milestones, name="milestones"),
        path("<int:project_id>/milestones/compare/", milestones.milestone_compare, name="milestone_compare"),
        path("<int:project_id>/settings/", projects.project_settings, name="settings"),
        path("<int:project_id>/move/", projects.project_move_view, name="move"),
        path("<int:project_id>/rerank/", projects.project_rerank, name="rerank_all"),
        path("<int:project_id>/send/", trackers.work_items_send_index, name="send_index"),
        path("<int:project_id>/send/<slug:kind>/", trackers.work_items_send_view, name="send"),
        path("<int:project_id>/inventory/", inventory.inventory_import_view, name="inventory"),
        path("<int:project_id>/environments/", environments.environment_list, name="environments"),
        path(
            "<int:project_id>/environments/<int:environment_id>/", environments.environment_detail, name="environment"
        ),
        path(
            "<int:project_id>/environments/<int:environment_id>/remove/",
            environments.environment_remove,
            name="environment_remove",
        ),
        path("<int:project_id>/export/<slug:fmt>", projects.project_export, name="export"),
    ],
    "projects",
)
account_patterns = (
    [
        path("", account.profile, name="profile"),
        path("tokens/", account.token_create, name="token_create"),
        path("tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
        path("password/", account.password_change, name="password_change"),
        path("sessions/<str:session_key>/end/", account.session_end, name="session_end"),
        path("sessions/end-others/", account.sessions_end_others, name="sessions_end_others"),
        path("time-zone/", account.time_zone_view, name="time_zone"),
    ],
    "account",
)
notification_patterns = (
    [
        path("", notifications.inbox, name="inbox"),
        path("<int:notification_id>/open/", notifications.notification_open_view, name="open"),
        path("read/", notifications.notifications_read_all_view, name="read_all"),
        path("settings/", notifications.preferences, name="preferences"),
    ],
    "notifications",
)
team_patterns = (
    [
        path("", teams.team_list, name="list"),
        path("<int:team_id>/", teams.team_detail, name="detail"),
        path("<int:team_id>/invitations/", invitations.invitation_create_view, name="invitation_create"),
        path(
            "<int:team_id>/invitations/<int:invitation_id>/revoke/",
            invitations.invitation_revoke_view,
            name="invitation_revoke",
        ),
        path("<int:team_id>/members/<int:membership_id>/role/", teams.member_role, name="member_role"),
        path("<int:team_id>/connections/", teams.team_connections, name="connections"),
        path("<int:team_id>/history/", teams.team_history_page, name="history"),
        path("<int:team_id>/channels/", channels.channel_add_view, name="channel_add"),
        path("<int:team_id>/trackers/", trackers.tracker_save_view, name="tracker_save"),
        path("<int:team_id>/trackers/<int:tracker_id>/remove/", trackers.tracker_remove_view, name="tracker_remove"),
        path("<int:team_id>/channels/<int:channel_id>/test/", channels.channel_test_view, name="channel_test"),
        path("<int:team_id>/channels/<int:channel_id>/remove/", channels.channel_remove_view, name="channel_remove"),
        path("<int:team_id>/members/<int:membership_id>/remove/", teams.member_remove, name="member_remove"),
        path("<int:team_id>/templates/<int:template_id>/remove/", teams.template_remove, name="template_remove"),
    ],
    "teams",
)
invitation_patterns = (
    [
        path("<str:token>/", invitations.invitation_open, name="open"),
        path("<str:token>/accept/", invitations.invitation_accept_view, name="accept"),
        path("<str:token>/sign-up/", invitations.invitation_sign_up, name="sign_up"),
        path("<str:token>/confirm/", invitations.invitation_confirm_send, name="confirm_send"),
        path("<str:token>/confirm/<str:code>/", invitations.invitation_confirm, name="confirm"),
    ],
    "invitations",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("hooks/work-items/<int:tracker_id>/<str:secret>/", trackers.work_item_hook, name="work_item_hook"),
    path("favicon.ico", home.favicon, name="favicon"),  # browsers ask for it whatever the page's <link> says
    path("accounts/login/", account.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/oidc/start/", oidc.SignInStart.as_view(), name="oidc_start"),
    path("accounts/oidc/callback/", oidc.SignInCallback.as_view(), name="oidc_callback"),
    path("invitations/", include(invitation_patterns)),
    path("account/", include(account_patterns)),
    path("wizard/", include(wizard_patterns)),
    path("projects/", include(project_patterns)),
    path("teams/", include(team_patterns)),
    path("decisions/", decisions.decision_log_view, name="decision_log"),
    path("portfolio/", portfolio.portfolio_view, name="portfolio"),
    path("portfolio/integrations/", portfolio.portfolio_list, name="portfolio_list"),
    path("inbox/", include(notification_patterns)),
    path("api/v1/", include(api.urlpatterns(), namespace="api")),
    path("curation/", include("patterns.curation_urls")),
    path("admin/", admin.site.urls),
    path("", include("patterns.urls")),
]

# A lost database outside a view (a middleware saving the session on the way out) is a 503 too, never a 500.
handler400 = "portal.middleware.bad_request"
handler500 = "portal.middleware.server_error"

if settings.BENCHMARK_CEILINGS:  # `make bench` only: the bare-view and plain-table ceilings it compares with
    from portal.benchmarking import ceiling_urls

    urlpatterns += ceiling_urls
