"""Pages for shoes and insoles: one set of views, the model chosen by the URL."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from backpainlog.accounts.selectors import profile_of
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.pages import confirm_delete, save_form
from shoes import selectors, services
from shoes.forms import gear_form_class
from shoes.models import Insole, Shoe
from shoes.selectors import GearModel


def _noun(model: GearModel) -> str:
    return "pair of shoes" if model is Shoe else "pair of insoles"


@login_required
@require_http_methods(["GET"])
def gear_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "shoes/gear_list.html",
        {
            "shoes": selectors.gear_list(Shoe, user=request.user),
            "insoles": selectors.gear_list(Insole, user=request.user),
            "unit": profile_of(request.user).distance_unit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def gear_new(request: AuthenticatedHttpRequest, model: GearModel) -> HttpResponse:
    form = gear_form_class(model)(request.POST or None, user=request.user)
    if request.method == "POST" and save_form(
        form, lambda fields: services.gear_create(model, user=request.user, **fields)
    ):
        messages.success(request, f"New {_noun(model)} added.")
        return redirect("gear_list")
    return render(request, "shoes/gear_form.html", {"form": form, "title": f"Add a {_noun(model)}"})


@login_required
@require_http_methods(["GET", "POST"])
def gear_edit(request: AuthenticatedHttpRequest, model: GearModel, pk: int) -> HttpResponse:
    pair = get_object_or_404(model, pk=pk, user=request.user)
    form = gear_form_class(model)(request.POST or None, instance=pair, user=request.user)
    if request.method == "POST" and save_form(form, lambda fields: services.gear_update(pair, **fields)):
        messages.success(request, f"{pair.name} saved.")
        return redirect("gear_list")
    return render(request, "shoes/gear_form.html", {"form": form, "title": f"Edit {pair.name}", "pair": pair})


@login_required
@require_POST
def gear_retire(request: AuthenticatedHttpRequest, model: GearModel, pk: int) -> HttpResponse:
    pair = get_object_or_404(model, pk=pk, user=request.user)
    try:
        if pair.retired_on is None:
            services.gear_retire(pair)
            messages.success(request, f"{pair.name} retired. Its runs stay in your log.")
        else:
            services.gear_update(pair, retired_on=None)
            messages.success(request, f"{pair.name} is back in use.")
    except ValidationError as exc:
        # E.g. a pair first worn on a date still to come cannot be retired today.
        messages.error(request, " ".join(exc.messages))
    return redirect("gear_list")


@login_required
@require_POST
def gear_make_default(request: AuthenticatedHttpRequest, model: GearModel, pk: int) -> HttpResponse:
    pair = get_object_or_404(model, pk=pk, user=request.user, retired_on__isnull=True)
    services.gear_set_default(pair)
    messages.success(request, f"{pair.name} is now preselected for new runs.")
    return redirect("gear_list")


@login_required
@require_http_methods(["GET", "POST"])
def gear_delete(request: AuthenticatedHttpRequest, model: GearModel, pk: int) -> HttpResponse:
    pair = get_object_or_404(model, pk=pk, user=request.user)
    return confirm_delete(
        request,
        pair,
        delete=services.gear_delete,
        what=f"{_noun(model)} “{pair.name}” (its runs stay, without it)",
        cancel_url=reverse("gear_list"),
        done_url=reverse("gear_list"),
    )
