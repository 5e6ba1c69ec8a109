"""The settings page's reminder forms: the same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from backpainlog.accounts.views import _settings_context
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.pages import save_form
from reminders import selectors, services
from reminders.forms import ReminderSettingsForm

SECTION = "#reminders"


@login_required
@require_POST
def reminder_settings_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReminderSettingsForm(request.POST, instance=selectors.reminder_settings_of(request.user))
    origin = request.build_absolute_uri("/")
    if save_form(
        form, lambda fields: services.reminder_settings_update(user=request.user, origin=origin, **fields)
    ):
        messages.success(request, "Reminder settings saved.")
        return redirect(reverse("settings") + SECTION)
    # The settings page again, with the errors and what was typed.
    return render(
        request, "accounts/settings.html", _settings_context(request, reminders_form=form), status=400
    )


@login_required
@require_POST
def test_notification(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.push_test_send(user=request.user, origin=request.build_absolute_uri("/"))
    devices = selectors.push_subscriptions_for_user(request.user).count()
    if devices:
        messages.success(
            request,
            f"Test notification sent to {devices} device{'s' if devices != 1 else ''}: it arrives within seconds.",
        )
    else:
        messages.info(request, "No device gets notifications yet: turn them on in this browser first.")
    return redirect(reverse("settings") + SECTION)
