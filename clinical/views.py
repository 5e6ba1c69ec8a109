from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.pages import confirm_delete, date_filter, paginate, save_form
from backpainlog.services import IdempotencyConflict
from clinical import instruments, selectors, services
from clinical.forms import QUESTIONNAIRE_FORMS, PsfsForm, QuestionnaireForm, ScheduleForm, TreatmentForm
from clinical.models import QuestionnaireResponse, Treatment


def _saved_summary(response: QuestionnaireResponse) -> str:
    instrument = response.instrument
    text = f"{instrument.short} {instruments.format_score(response.questionnaire, response.score)}"
    if response.change_text:
        return response.change_text
    return f"{text}: your first, the baseline later answers are compared with"


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def questionnaire_answer(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    instrument = instruments.INSTRUMENTS.get(key)
    if instrument is None:
        raise Http404
    form_class = QUESTIONNAIRE_FORMS[key]
    extra: dict[str, Any] = {}
    if form_class is PsfsForm:
        extra["activities"] = selectors.last_psfs_activities(request.user)
    form: QuestionnaireForm = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            response, _ = services.response_create(user=request.user, **form.service_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except IdempotencyConflict:
            form.add_error(
                None, "These answers were saved already with other values. Reload the page to answer again."
            )
        else:
            response.refresh_from_db()
            if not request.htmx:
                messages.success(request, f"Saved. {_saved_summary(response)}.")
                return redirect("dashboard")
            return render(
                request,
                "clinical/questionnaire_form.html#saved",
                {"response": response, "instrument": instrument, "summary": _saved_summary(response)},
            )
    template = "clinical/questionnaire_form.html"
    if request.htmx:
        template += "#form"
    return render(
        request,
        template,
        {"form": form, "instrument": instrument, "title": instrument.title, "url": request.path},
    )


@login_required
@require_http_methods(["GET"])
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = paginate(request, selectors.responses_for_user(request.user))
    return render(
        request,
        "clinical/questionnaire_list.html",
        {"statuses": selectors.questionnaires_for_user(request.user), "page": page},
    )


@login_required
@require_POST
def questionnaire_schedules(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST, schedules=selectors.schedules_for_user(request.user))
    if form.is_valid():
        for key, schedule in form.cleaned_data.items():
            services.schedule_set(user=request.user, questionnaire=key, schedule=schedule)
        messages.success(request, "Questionnaire schedules saved.")
    else:
        messages.error(request, "Choose off, weekly, every 2 weeks or every 4 weeks for each questionnaire.")
    return redirect(reverse("settings") + "#questionnaires-heading")


@login_required
@require_http_methods(["GET", "POST"])
def response_delete(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    response = get_object_or_404(QuestionnaireResponse, pk=pk, user=request.user)
    return confirm_delete(
        request,
        response,
        delete=services.response_delete,
        what="questionnaire answer",
        cancel_url=reverse("questionnaire_list"),
        done_url=reverse("questionnaire_list"),
        description=(
            f"{response.instrument.title}, {timezone.localtime(response.completed_at):%a %d %b %Y, %H:%M}: "
            f"score {instruments.format_score(response.questionnaire, response.score)}"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def treatment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list, with the quick add form on top."""
    form = TreatmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and save_form(
        form, lambda fields: services.treatment_create(user=request.user, **fields)[0]
    ):
        messages.success(request, "Treatment saved.")
        return redirect("treatment_list")
    filter_form, start, end = date_filter(request)
    page = paginate(request, selectors.treatments_for_user(request.user, start=start, end=end))
    return render(
        request, "clinical/treatment_list.html", {"form": form, "page": page, "filter_form": filter_form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def treatment_edit(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    treatment = get_object_or_404(Treatment, pk=pk, user=request.user)
    form = TreatmentForm(request.POST or None, instance=treatment, user=request.user)
    if request.method == "POST" and save_form(
        form, lambda fields: services.treatment_update(treatment, **fields)
    ):
        messages.success(request, "Treatment updated.")
        return redirect("treatment_list")
    return render(request, "clinical/treatment_form.html", {"form": form, "treatment": treatment})


@login_required
@require_http_methods(["GET", "POST"])
def treatment_delete(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    treatment = get_object_or_404(Treatment, pk=pk, user=request.user)
    return confirm_delete(
        request,
        treatment,
        delete=services.treatment_delete,
        what="treatment",
        cancel_url=reverse("treatment_list"),
        done_url=reverse("treatment_list"),
        description=f"{treatment.label}, {timezone.localtime(treatment.started_at):%a %d %b %Y, %H:%M}",
    )
