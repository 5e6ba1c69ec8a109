from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from audit import views as audit_views
from audit.api import AuditEventViewSet
from backpainlog import pwa, views
from backpainlog.accounts import api as accounts_api
from backpainlog.accounts import views as accounts_views
from clinical.api import QuestionnaireResponseViewSet, QuestionnaireViewSet, TreatmentViewSet
from imports.api import ImportView
from reminders.api import PushKeyView, PushSubscriptionViewSet, PushTestView
from runs.api import (
    EpisodeListView,
    FlagListView,
    InsightListView,
    PainCheckinViewSet,
    RunViewSet,
    WeeklyStatsView,
)
from sharing.api import ShareLinkViewSet
from shoes.api import InsoleViewSet, ShoeViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="api-run")
router.register("pain-checkins", PainCheckinViewSet, basename="api-checkin")
router.register("shoes", ShoeViewSet, basename="api-shoe")
router.register("insoles", InsoleViewSet, basename="api-insole")
router.register("share-links", ShareLinkViewSet, basename="api-share-link")
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")
router.register("questionnaires", QuestionnaireViewSet, basename="api-questionnaire")
router.register(
    "questionnaire-responses", QuestionnaireResponseViewSet, basename="api-questionnaire-response"
)
router.register("treatments", TreatmentViewSet, basename="api-treatment")
router.register("auth/tokens", accounts_api.ApiTokenViewSet, basename="api-tokens")
router.register("push-subscriptions", PushSubscriptionViewSet, basename="api-push-subscription")

api_v1 = [
    path("auth/token/", accounts_api.token_obtain, name="api-token"),
    path("auth/logout/", accounts_api.token_logout, name="api-logout"),
    path("profile/", accounts_api.ProfileView.as_view(), name="api-profile"),
    path("account/", accounts_api.AccountView.as_view(), name="api-account"),
    path("flags/", FlagListView.as_view(), name="api-flags"),
    path("insights/", InsightListView.as_view(), name="api-insights"),
    path("episodes/", EpisodeListView.as_view(), name="api-episodes"),
    path("stats/weekly/", WeeklyStatsView.as_view(), name="api-stats-weekly"),
    path("imports/", ImportView.as_view(), name="api-imports"),
    path("push/key/", PushKeyView.as_view(), name="api-push-key"),
    path("push/test/", PushTestView.as_view(), name="api-push-test"),
    *router.urls,
]

accounts = [
    path("signup/", accounts_views.sign_up, name="signup"),
    path("login/", accounts_views.SignInView.as_view(), name="login"),
    path("login/code/", accounts_views.sign_in_code, name="login_code"),
    path("delete/", accounts_views.account_delete, name="account_delete"),
    # Before django.contrib.auth's own: the same sign-out, clearing the browser's cache too.
    path("logout/", pwa.LogoutView.as_view(), name="logout"),
    # Before django.contrib.auth's own: the same views, with the change in the account activity.
    path("password_change/", audit_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "reset/<uidb64>/<token>/",
        audit_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
]

urlpatterns = [
    path("", include("runs.urls")),
    path("", include("shoes.urls")),
    path("", include("exports.urls")),
    path("", include("imports.urls")),
    path("", include("sharing.urls")),
    path("", include("clinical.urls")),
    path("", include("reminders.urls")),
    path("settings/", accounts_views.settings_page, name="settings"),
    path("settings/two-step/start/", accounts_views.two_step_start, name="two_step_start"),
    path("settings/two-step/", accounts_views.two_step_setup, name="two_step_setup"),
    path("settings/two-step/codes/", accounts_views.two_step_new_codes, name="two_step_new_codes"),
    path("settings/two-step/off/", accounts_views.two_step_disable, name="two_step_disable"),
    path("settings/activity/", audit_views.activity_page, name="activity"),
    path("settings/tokens/<int:pk>/revoke/", accounts_views.api_token_revoke, name="api_token_revoke"),
    path("settings/tokens/revoke-all/", accounts_views.api_tokens_revoke_all, name="api_tokens_revoke_all"),
    path("accounts/", include(accounts)),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The page's init script is a file of its own (the CSP allows no inline script);
        # Swagger UI's style sheet draws its icons as data: URLs.
        csp_update({"img-src": "data:"})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("admin/login/", accounts_views.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
]

# A database outage is a 503 with Retry-After rather than a 500, wherever it is raised.
handler500 = "backpainlog.views.server_error"
handler404 = "backpainlog.views.page_not_found"
