"""The owner's /share/ page, and the public pages under /shared/<token>/.

Everything under /shared/ answers with ``Referrer-Policy: no-referrer`` (the token is in
the URL: no page it links to may learn it), ``Cache-Control: no-store`` (health data, on
someone else's phone or a clinic PC) and ``X-Robots-Tag: noindex, nofollow``; an expired,
revoked, unknown or malformed token gets one and the same 404, and only GET and HEAD are
allowed. The only writes are the access record and its event in the owner's account
activity.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from backpainlog.accounts.selectors import user_zone
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.qr import qr_svg
from exports import report
from exports.csv import stream_runs_csv
from exports.http import report_pdf_response
from exports.keypoints import key_points
from runs import insights
from runs.charts import trend_charts
from sharing import selectors, services, throttle
from sharing.forms import ShareLinkForm
from sharing.models import ShareAccess, ShareLink

# ------------------------------------------------------------------ the owner's page


def _page_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    links = list(selectors.share_links_for_user(request.user, recent_accesses=True))
    for link in links:
        link.current_status = link.status_at(now)  # type: ignore[attr-defined]
    return {"links": links, "form": ShareLinkForm(), "report_weeks": report.DEFAULT_WEEKS, **extra}


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def share_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the links and the downloads. POST: create a link; the response shows its URL
    (the only time it can be shown: only its hash is kept), so it is rendered, not
    redirected to."""
    if request.method == "GET":
        return render(request, "sharing/share.html", _page_context(request))
    form = ShareLinkForm(request.POST)
    created = None
    if form.is_valid():
        try:
            link, token = services.share_link_create(
                user=request.user,
                label=form.cleaned_data["label"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                start=form.cleaned_data["from"],
                end=form.cleaned_data["to"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            url = request.build_absolute_uri(reverse("shared_report", args=[token]))
            qr = qr_svg(url, label="QR code: scan to open the report")
            created = {"link": link, "url": url, "qr": mark_safe(qr)}  # noqa: S308 (segno escapes)
            form = ShareLinkForm()
    context = _page_context(request, form=form, created=created)
    template = "sharing/share.html#create" if request.htmx else "sharing/share.html"
    # htmx swaps only 2xx answers: the form comes back with its errors as a 200 there.
    failed = created is None and not request.htmx
    return render(request, template, context, status=400 if failed else 200)


@login_required
@require_http_methods(["GET", "POST"])
def share_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: a confirmation page (works without JavaScript). POST: revoke, back to the list."""
    link = get_object_or_404(ShareLink, pk=pk, user=request.user)
    if request.method == "POST":
        services.share_link_revoke(link=link, request=request)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("share"))
        return redirect("share")
    return render(request, "sharing/revoke.html", {"link": link})


# --------------------------------------------------------------------- public pages


def shared_headers(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The privacy headers on every response under /shared/, errors included."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)  # no-store, private, max-age=0, and an Expires
        return response

    return wrapper


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/not_found.html", status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "sharing/not_found.html", {"blocked": True}, status=429)
    response["Retry-After"] = str(throttle.retry_after())
    return response


def _open(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    """The link, or the response to give instead: 429 while the address is blocked for
    guessing, 404 (counted as a failure) for any token that opens nothing."""
    if throttle.is_blocked(request):
        return _too_many(request)
    link = selectors.active_share_link(token)
    if link is None:
        return _failed(request)
    return link


def _failed(request: HttpRequest) -> HttpResponse:
    """A failed look-up: counted, then the 404; or the 429 when the count was full
    already (other guesses at the same moment took the last slots)."""
    if throttle.record_failure(request) is None:
        return _too_many(request)
    return _not_found(request)


SharedView = Callable[[HttpRequest, ShareLink, dt.date, dt.date], HttpResponseBase]


def shared_link_view(kind: str) -> Callable[[SharedView], Callable[..., HttpResponseBase]]:
    """A public view under /shared/<token>/: the privacy headers, GET and HEAD only, the
    token opened (or the 404/429 given instead), the access recorded as ``kind``, and the
    view called with the link and the concrete dates of its period."""

    def decorate(view: SharedView) -> Callable[..., HttpResponseBase]:
        @shared_headers
        @require_http_methods(["GET", "HEAD"])
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponseBase:
            opened = _open(request, token)
            if isinstance(opened, HttpResponse):
                return opened
            services.share_access_record(
                link=opened, kind=kind, user_agent=request.META.get("HTTP_USER_AGENT", "")
            )
            start, end = report.resolve_period(
                opened.user, opened.period_start, opened.period_end, whole_log=True
            )
            return view(request, opened, start, end)

        return wrapper

    return decorate


@shared_link_view(ShareAccess.Kind.PAGE)
def shared_report(request: HttpRequest, link: ShareLink, start: dt.date, end: dt.date) -> HttpResponse:
    owner = link.user
    with timezone.override(user_zone(owner)):
        data = report.report_for_user(owner, start=start, end=end, shared=True)
        return render(
            request,
            "sharing/shared_report.html",
            {
                "report": data,
                "charts": trend_charts(data.trends, data.unit, treatments=data.treatment_marks),
                "unit": data.unit,
                "disclaimer": report.DISCLAIMER,
                "key_points": key_points(data),
                "patterns": [
                    (row, report.pattern_figures(row.item), report.VERDICTS[row.item.verdict])
                    for row in insights.shown_once(data.associations)
                ],
                "run_rows": [(run, report.run_flag_labels(run)) for run in data.runs],
            },
        )


@shared_link_view(ShareAccess.Kind.PDF)
def shared_report_pdf(request: HttpRequest, link: ShareLink, start: dt.date, end: dt.date) -> HttpResponse:
    return report_pdf_response(
        report.report_for_user(link.user, start=start, end=end, shared=True), download=False
    )


@shared_link_view(ShareAccess.Kind.CSV)
def shared_runs_csv(
    request: HttpRequest, link: ShareLink, start: dt.date, end: dt.date
) -> StreamingHttpResponse:
    return stream_runs_csv(link.user, start=start, end=end)


@shared_headers
@require_http_methods(["GET", "HEAD"])
def shared_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /shared/: the same 404 (and a failure, like any guess)."""
    if throttle.is_blocked(request):
        return _too_many(request)
    return _failed(request)
