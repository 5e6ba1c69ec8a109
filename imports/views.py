"""The import page. With JavaScript (static/js/import.js) it sends each file to the API
in turn and shows each result as it comes; without, the form posts every file here and
the page lists the results. Both go through :func:`imports.services.import_file`."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from backpainlog.http import AuthenticatedHttpRequest
from imports import services
from imports.parsers import Budget, UnreadableFile


@dataclasses.dataclass(frozen=True)
class FileOutcome:
    name: str
    result: services.ImportResult | None = None
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
                outcomes.append(
                    FileOutcome(
                        upload.name or "",
                        services.import_file(user=request.user, upload=upload, budget=budget),
                    )
                )
            except UnreadableFile as exc:
                outcomes.append(FileOutcome(upload.name or "", error=exc.message))
    return render(
        request,
        "imports/import.html",
        {
            "outcomes": outcomes,
            "error": error,
            "imported_any": any(outcome.result and outcome.result.created for outcome in outcomes),
        },
        status=400 if error else 200,
    )
