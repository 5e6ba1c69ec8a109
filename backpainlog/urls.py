from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from backpainlog import pwa, views
from backpainlog.accounts import api as accounts_api
from backpainlog.accounts import views as accounts_views
from imports.api import ImportView
from runs.api import FlagListView, InsightListView, PainCheckinViewSet, RunViewSet, WeeklyStatsView
from sharing.api import ShareLinkViewSet
from shoes.api import InsoleViewSet, ShoeViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="api-run")
router.register("pain-checkins", PainCheckinViewSet, basename="api-checkin")
router.register("shoes", ShoeViewSet, basename="api-shoe")
router.register("insoles", InsoleViewSet, basename="api-insole")
router.register("share-links", ShareLinkViewSet, basename="api-share-link")

api_v1 = [
    path("auth/token/", accounts_api.token_obtain, name="api-token"),
    path("auth/logout/", accounts_api.token_logout, name="api-logout"),
    path("profile/", accounts_api.ProfileView.as_view(), name="api-profile"),
    path("account/", accounts_api.AccountView.as_view(), name="api-account"),
    path("flags/", FlagListView.as_view(), name="api-flags"),
    path("insights/", InsightListView.as_view(), name="api-insights"),
    path("stats/weekly/", WeeklyStatsView.as_view(), name="api-stats-weekly"),
    path("imports/", ImportView.as_view(), name="api-imports"),
    *router.urls,
]

accounts = [
    path("signup/", accounts_views.sign_up, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("delete/", accounts_views.account_delete, name="account_delete"),
    # Before django.contrib.auth's own: the same sign-out, clearing the browser's cache too.
    path("logout/", pwa.LogoutView.as_view(), name="logout"),
    path("", include("django.contrib.auth.urls")),
]

urlpatterns = [
    path("", include("runs.urls")),
    path("", include("shoes.urls")),
    path("", include("exports.urls")),
    path("", include("imports.urls")),
    path("", include("sharing.urls")),
    path("settings/", accounts_views.settings_page, name="settings"),
    path("accounts/", include(accounts)),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("admin/", admin.site.urls),
]
