"""The "Account activity" page, and Django's password views with the change recorded."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AuditEvent
from audit.selectors import audit_events_for_user
from audit.services import record_event
from backpainlog.accounts.forms import CountedPasswordChangeForm
from backpainlog.accounts.services import api_tokens_revoke_all
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.pages import paginate


@login_required
@require_GET
def activity_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Newest first, 50 a page; two queries (count, page) whatever the number of events."""
    page = paginate(request, audit_events_for_user(request.user))
    return render(request, "audit/activity.html", {"page": page})


class RecordPasswordChangeMixin:
    """Records the change in the transaction that saves the new password: no new
    password without its event."""

    via = ""
    revoke_reason = ""
    request: Any

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)  # type: ignore[misc]
            record_event(
                request=self.request,
                user=form.user,
                kind=AuditEvent.Kind.PASSWORD_CHANGED,
                detail={"via": self.via},
            )
            # The sessions elsewhere end with the old password (Django's session hash);
            # the API tokens go too, or a stolen one would outlive the owner's recovery.
            # The browser used here keeps its session.
            api_tokens_revoke_all(user=form.user, reason=self.revoke_reason, request=self.request)
        return response


class PasswordChangeView(RecordPasswordChangeMixin, auth_views.PasswordChangeView):
    via = "settings"
    revoke_reason = "password_changed"
    form_class = CountedPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(RecordPasswordChangeMixin, auth_views.PasswordResetConfirmView):
    via = "reset"
    revoke_reason = "password_reset"
