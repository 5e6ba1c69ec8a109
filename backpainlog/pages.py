"""Helpers shared by the apps' page views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, overload

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from backpainlog.forms import DateRangeForm, ServiceModelForm
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.services import IdempotencyConflict

PAGE_SIZE = 50


def paginate(request: AuthenticatedHttpRequest, items: QuerySet[Any]) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


RangeForm = TypeVar("RangeForm", bound=DateRangeForm)
M = TypeVar("M", bound=Model)


@overload
def date_filter(request: AuthenticatedHttpRequest) -> tuple[DateRangeForm, date | None, date | None]: ...
@overload
def date_filter(
    request: AuthenticatedHttpRequest, form_class: type[RangeForm]
) -> tuple[RangeForm, date | None, date | None]: ...
def date_filter(
    request: AuthenticatedHttpRequest,
    form_class: type[DateRangeForm] = DateRangeForm,
) -> tuple[DateRangeForm, date | None, date | None]:
    """The list filter (``form_class``: a :class:`DateRangeForm` with more filters, if need
    be) and its range; an invalid filter shows its errors and filters nothing."""
    form = form_class(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, *form.bounds
    return form, None, None


def save_form(form: ServiceModelForm, save: Callable[[dict[str, Any]], Model]) -> Model | None:
    """Run ``save`` (a service call) with the form's values if the form is valid.

    Returns the saved object, or None with the errors on the form (the service's own
    validation included)."""
    if not form.is_valid():
        return None
    try:
        return save(form.service_fields())
    except ValidationError as exc:
        form.add_service_errors(exc)
    except IdempotencyConflict:
        form.add_error(
            None, "This entry was saved already with other values. Reload the page to log a new one."
        )
    return None


def confirm_delete(
    request: AuthenticatedHttpRequest,
    obj: M,
    *,
    delete: Callable[[M], None],
    what: str,
    cancel_url: str,
    done_url: str,
    description: str = "",
) -> HttpResponse:
    """GET: a confirmation page (works without JavaScript). POST: delete, then go back."""
    if request.method == "POST":
        delete(obj)
        if request.htmx:
            return HttpResponseClientRedirect(done_url)
        return redirect(done_url)
    return render(
        request,
        "confirm_delete.html",
        {"description": description or str(obj), "what": what, "cancel_url": cancel_url},
    )
