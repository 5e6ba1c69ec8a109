from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from backpainlog.accounts import services
from backpainlog.accounts.forms import AccountDeleteForm, ProfileForm, SignUpForm
from backpainlog.accounts.selectors import profile_of
from backpainlog.forms import ServiceModelForm
from backpainlog.http import AuthenticatedHttpRequest, HtmxHttpRequest
from backpainlog.pages import save_form


@require_http_methods(["GET", "POST"])
def sign_up(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
            )
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
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "delete_form": AccountDeleteForm(user=request.user)},
    )


@login_required
@require_http_methods(["POST"])
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "accounts/settings.html",
            {"form": ProfileForm(instance=profile_of(request.user)), "delete_form": form},
            status=400,
        )
    user = request.user
    logout(request)
    services.account_delete(user=user)
    messages.success(request, "Your account and everything in it were deleted.")
    return redirect("login")
