from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from backpainlog.accounts import lockout, selectors, services, signin
from backpainlog.accounts.forms import OneTimeCodeForm, PasswordCheckForm, ProfileForm, SignUpForm
from backpainlog.accounts.selectors import profile_of
from backpainlog.forms import ServiceModelForm
from backpainlog.http import AuthenticatedHttpRequest, HtmxHttpRequest
from backpainlog.pages import save_form
from backpainlog.qr import qr_svg
from clinical.forms import schedule_form
from reminders.forms import ReminderSettingsForm
from reminders.selectors import email_offered, reminder_settings_of


@require_http_methods(["GET", "POST"])
def sign_up(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Counted once the form is valid: a typo in the form does not use up an attempt.
        if refusal := lockout.sign_up_refusal(request):
            form.add_error(None, refusal)
            return render(request, "registration/signup.html", {"form": form}, status=429)
        try:
            user = services.user_sign_up(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
            )
            services.profile_update(user=user, **form.profile_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Add your shoes, then log your first run.")
            return redirect("settings")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    form: ServiceModelForm = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and save_form(
        form, lambda fields: services.profile_update(user=request.user, **fields)
    ):
        messages.success(request, "Settings saved.")
        return redirect("settings")
    return render(request, "accounts/settings.html", _settings_context(request, form=form))


def _two_step_off_form(request: AuthenticatedHttpRequest, data: QueryDict | None = None) -> PasswordCheckForm:
    return PasswordCheckForm(
        data, request=request, user=request.user, prefix="two_step_off", label="Password to turn it off"
    )


def _two_step_on_form(request: AuthenticatedHttpRequest, data: QueryDict | None = None) -> PasswordCheckForm:
    return PasswordCheckForm(
        data, request=request, user=request.user, prefix="two_step_on", label="Password to turn it on"
    )


def _new_codes_form(request: AuthenticatedHttpRequest, data: QueryDict | None = None) -> PasswordCheckForm:
    return PasswordCheckForm(
        data, request=request, user=request.user, prefix="new_codes", label="Password for new codes"
    )


def _settings_context(request: AuthenticatedHttpRequest, **forms: object) -> dict[str, object]:
    """The settings page's forms, blank unless given (one that failed, with its errors)."""
    user = request.user
    return {
        "form": ProfileForm(instance=profile_of(user)),
        "delete_form": PasswordCheckForm(request=request, user=user),
        "two_step_on_form": _two_step_on_form(request),
        "two_step_off_form": _two_step_off_form(request),
        "new_codes_form": _new_codes_form(request),
        "two_step_enabled": selectors.two_step_enabled(user),
        "recovery_codes_left": selectors.recovery_codes_left(user),
        "session_days": settings.SESSION_DAYS,
        "api_tokens": list(selectors.api_tokens_for_user(user)),
        "api_token_days": settings.API_TOKEN_IDLE_DAYS,
        "questionnaire_schedule_form": schedule_form(user),
        "reminders_form": ReminderSettingsForm(instance=reminder_settings_of(user)),
        # Reminders by e-mail are offered only where the server has a mail server to send through.
        "email_offered": email_offered(),
        **forms,
    }


@login_required
@require_http_methods(["POST"])
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordCheckForm(request.POST, request=request, user=request.user)
    if not form.is_valid():
        return render(
            request, "accounts/settings.html", _settings_context(request, delete_form=form), status=400
        )
    user = request.user
    logout(request)
    services.account_delete(user=user)
    messages.success(request, "Your account and everything in it were deleted.")
    return redirect("login")


@login_required
@require_http_methods(["POST"])
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.api_tokens_for_user(request.user), pk=pk)
    services.api_token_revoke(token=token, request=request)
    messages.success(request, "The token was revoked: it no longer works.")
    return redirect(reverse("settings") + "#tokens-heading")


@login_required
@require_http_methods(["POST"])
def api_tokens_revoke_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.api_tokens_revoke_all(user=request.user, request=request)
    messages.success(request, f"{count} token{'s' if count != 1 else ''} revoked.")
    return redirect(reverse("settings") + "#tokens-heading")


# ------------------------------------------------------------------ signing in, two steps


class SignInView(LoginView):
    """Django's sign-in; for a user with two-step sign-in on, the right password leads
    to the code step instead of signing in."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not selectors.two_step_enabled(user):
            return super().form_valid(form)
        # authenticate() sets the backend on the user it returns; no field of the model.
        backend = user.backend  # type: ignore[attr-defined]
        signin.pending_start(self.request, user=user, backend=backend, next_url=self.get_success_url())
        return redirect("login_code")


def _code_form(request: HtmxHttpRequest, recovery: bool) -> OneTimeCodeForm:
    if recovery:
        return OneTimeCodeForm(request.POST or None, label="Recovery code", numeric=False)
    return OneTimeCodeForm(
        request.POST or None, label="6-digit code", help_text="From the authenticator app on your phone."
    )


def admin_sign_in(request: HtmxHttpRequest) -> HttpResponse:
    """The admin's own sign-in form would sign staff in on the password alone: they go
    through the app's sign-in instead, two-step code and lock-out included."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HtmxHttpRequest) -> HttpResponse:
    """The second step. A wrong code is a failed sign-in (the lock-out counts it, and so
    does the audit log); the user is signed in only once the code is right."""
    pending = signin.pending_get(request)
    if pending is None:
        messages.info(
            request, "Please sign in again: the code is asked for within 5 minutes of the password."
        )
        return redirect("login")
    recovery = request.GET.get("recovery") == "1"
    form = _code_form(request, recovery)
    if request.method == "POST" and form.is_valid():
        outcome = signin.second_step_attempt(request, user=pending.user, code=form.cleaned_data["code"])
        if outcome is signin.SecondStep.LOCKED_OUT:
            # The pending sign-in stays (it expires on its own): every code is refused
            # until the pause ends, the right one included.
            return lockout.lockout_response(request, None, {"username": pending.user.get_username()})
        if outcome is signin.SecondStep.PASSED:
            signin.pending_clear(request)
            login(request, pending.user, backend=pending.backend)
            return redirect(pending.next_url)
        form.add_error("code", "This code is not right. Check it and try again.")
    context = {"form": form, "recovery": recovery}
    return render(request, "registration/login_code.html", context, status=400 if form.errors else 200)


# ------------------------------------------------------------------ two-step sign-in settings


def _secret_for_typing(key_hex: str) -> str:
    """The secret as authenticator apps take it by hand: base32, in groups of four."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["POST"])
def two_step_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Needs the password: whoever holds only a signed-in session must not be able to put
    their own phone between the owner and the account."""
    if selectors.two_step_enabled(request.user):
        return redirect("settings")
    form = _two_step_on_form(request, request.POST)
    if not form.is_valid():
        context = _settings_context(request, two_step_on_form=form)
        return render(request, "accounts/settings.html", context, status=400)
    services.two_step_setup_start(user=request.user)
    return redirect("two_step_setup")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_step_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the QR code and secret of the authenticator being set up. POST: confirm it
    with a code from the app; the answer shows the recovery codes, the only time they
    can be shown."""
    device = selectors.two_step_pending_device(request.user)
    if device is None:
        return redirect("settings")
    form = OneTimeCodeForm(
        request.POST or None,
        label="6-digit code from the app",
        help_text="The code changes every 30 seconds.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_step_enable(device=device, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict["code"])
        else:
            return _recovery_codes_page(request, codes, just_enabled=True)
    context = {
        "form": form,
        "qr": mark_safe(qr_svg(device.config_url, label="QR code: scan it with your authenticator app")),  # noqa: S308 (segno escapes)
        "secret": _secret_for_typing(device.key),
    }
    return render(request, "accounts/two_step_setup.html", context, status=400 if form.errors else 200)


def _recovery_codes_page(
    request: AuthenticatedHttpRequest, codes: list[str], *, just_enabled: bool
) -> HttpResponse:
    """The recovery codes, shown this once (only their digests are kept): never cached."""
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "just_enabled": just_enabled})
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["POST"])
def two_step_new_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes in place of the old ones, which all stop working."""
    if not selectors.two_step_enabled(request.user):
        return redirect("settings")
    form = _new_codes_form(request, request.POST)
    if not form.is_valid():
        context = _settings_context(request, new_codes_form=form)
        return render(request, "accounts/settings.html", context, status=400)
    return _recovery_codes_page(
        request, services.recovery_codes_replace(user=request.user), just_enabled=False
    )


@login_required
@require_http_methods(["POST"])
def two_step_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _two_step_off_form(request, request.POST)
    if not form.is_valid():
        context = _settings_context(request, two_step_off_form=form)
        return render(request, "accounts/settings.html", context, status=400)
    services.two_step_disable(user=request.user)
    messages.success(request, "Two-step sign-in is off. Signing in now needs only your password.")
    return redirect("settings")
