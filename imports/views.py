"""The import page. With JavaScript (static/js/import.js) it sends each file to the API
in turn and shows each result as it comes; without, the form posts every file here and
the page lists the results. Small files go through :func:`imports.services.import_file`;
a file over 1 MB, or any zip, is queued (:mod:`imports.jobs`) and its progress, then its
result, is shown by the job's partial, which polls its own page until the job is over."""

from __future__ import annotations

import dataclasses
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from backpainlog.http import AuthenticatedHttpRequest
from imports import jobs, selectors, services
from imports.models import ImportJob
from imports.parsers import Budget, UnreadableFile


@dataclasses.dataclass(frozen=True)
class FileOutcome:
    name: str
    result: services.ImportResult | None = None
    job: ImportJob | None = None
    error: str = ""


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    outcomes: list[FileOutcome] = []
    error = ""
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        if not uploads:
            error = "Choose one or more files to import."
        # One budget for the whole form: several files in one request may cost no more
        # than one file sent on its own (the page's script sends them one by one).
        budget = Budget()
        for upload in uploads:
            try:
                if jobs.runs_in_background(upload):
                    job = jobs.import_job_create(user=request.user, upload=upload)
                    outcomes.append(FileOutcome(upload.name or "", job=job))
                else:
                    result = services.import_file(user=request.user, upload=upload, budget=budget)
                    outcomes.append(FileOutcome(upload.name or "", result))
            except UnreadableFile as exc:
                outcomes.append(FileOutcome(upload.name or "", error=exc.message))
    shown = [outcome.job.pk for outcome in outcomes if outcome.job]
    return render(
        request,
        "imports/import.html",
        {
            "outcomes": outcomes,
            "error": error,
            "imported_any": any(outcome.result and outcome.result.created for outcome in outcomes),
            "recent_jobs": selectors.import_jobs_recent(user=request.user, excluding=shown),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def import_job_page(request: AuthenticatedHttpRequest, job_id: uuid.UUID) -> HttpResponse:
    try:
        job = selectors.import_job_of(user=request.user, job_id=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None
    template = "imports/import_job.html"
    if request.htmx:
        template += "#job"
    return render(request, template, {"job": job, "title": f"Import of {job.file_name}"})
