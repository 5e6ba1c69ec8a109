from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backpainlog.accounts import services as account_services
from backpainlog.accounts.selectors import local_today, profile_of
from backpainlog.http import AuthenticatedHttpRequest
from backpainlog.pages import confirm_delete, date_filter, paginate, save_form
from backpainlog.units import format_distance
from clinical import instruments
from clinical import selectors as clinical_selectors
from clinical.dashboard import dashboard_context as clinical_dashboard_context
from reminders.selectors import push_subscriptions_for_user, reminder_settings_of
from runs import analytics, insights, selectors, services, tables
from runs.charts import trend_charts
from runs.forms import DashboardRangeForm, NextMorningPainForm, PainCheckinForm, RunFilterForm, RunForm
from runs.models import BELOW_KNEE_REGIONS, PAIN_REGIONS, PainCheckin, Pattern, Run
from shoes.models import Shoe
from shoes.selectors import gear_list


def yesterday(user: User) -> dt.date:
    """For the next-morning question: "this morning" is said of yesterday's runs only."""
    return local_today(user) - dt.timedelta(days=1)


@login_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    built: dict[str, Any] = {}  # the trends, when computed here: this week's figures are in them

    def build_trends() -> dict[str, Any]:
        built.update(trends_context(request))
        return built

    [trends] = cached_partials(request, ["trends"], build_trends, variant=request.GET.urlencode())
    if request.htmx:
        # The range picker swaps the trends only; alerts, shoes and patterns stay.
        return HttpResponse(trends)
    this_week, alerts, wear_and_patterns = cached_partials(
        request,
        ["this_week", "alerts", "wear_and_patterns"],
        lambda: summary_context(user, trends=built.get("trends")),
    )
    return render(
        request,
        "runs/dashboard.html",
        {
            "this_week_html": this_week,
            "alerts_html": alerts,
            "trends_html": trends,
            "wear_and_patterns_html": wear_and_patterns,
            "awaiting": list(selectors.runs_awaiting_next_morning_pain(user, answered_today=True)),
            # Not cached with the partials: a count is one query, and always current.
            "needs_pain_count": selectors.runs_needing_pain_count(user),
            "yesterday": yesterday(user),
            "recent_runs": list(selectors.runs_for_user(user, odometer=False)[:5]),
            "recent_checkins": list(selectors.checkins_for_user(user)[:3]),
            # Not cached either: red flags come first, whatever else changed (docs/analytics.md#red-flags).
            "red_flag_checkin": selectors.latest_red_flag_checkin(user),
            "unit": profile_of(user).distance_unit,
            # Not cached either: what is due changes with the date and each answer.
            **clinical_dashboard_context(user),
        },
    )


DASHBOARD_CACHE_SECONDS = 24 * 60 * 60


def cached_partials(
    request: AuthenticatedHttpRequest,
    names: list[str],
    build_context: Callable[[], dict[str, Any]],
    *,
    variant: str = "",
) -> list[str]:
    """Partials of the dashboard, rendered once per state of the user's log.

    What they show changes only with a write (which raises the profile's analytics
    version, in the database, so every server sees it), the date, the unit, or the
    ``variant`` (the query): all are in the key, so nothing stale is served. None of
    them holds a form token or anything else tied to the request."""
    user, profile = request.user, profile_of(request.user)
    key = ":".join(
        [
            "dashboard",
            # A database may give a deleted user's id to a new one; never their page too.
            str(user.pk),
            user.date_joined.isoformat(),
            str(profile.analytics_version),
            local_today(user).isoformat(),
            profile.distance_unit,
            ",".join(names),
            variant,
        ]
    )
    rendered = cache.get(key)
    if rendered is None:
        context = build_context()
        rendered = [render_to_string(f"runs/dashboard.html#{name}", context, request) for name in names]
        cache.set(key, rendered, DASHBOARD_CACHE_SECONDS)
    return [mark_safe(html) for html in rendered]  # noqa: S308 (escaped by the template engine)


def trends_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user, unit = request.user, profile_of(request.user).distance_unit
    range_form = DashboardRangeForm(request.GET or None, today=local_today(user))
    start, end = range_form.period
    trends = selectors.trends_for_user(user, start=start, end=end)
    treatments = clinical_selectors.treatment_marks(user, start=start, end=end)
    regions = [(PAIN_REGIONS[count.region], count) for count in trends.regions]
    return {
        "range_form": range_form,
        "trends": trends,
        # The ACWR is kept for clinicians: the share page and the report draw it, not this one.
        "charts": trend_charts(trends, unit, treatments=treatments, acwr=False),
        "treatment_marks": treatments,
        "unit": unit,
        # Below the knee apart (docs/product.md#where-it-hurts): clinicians read it as a sign of
        # nerve-root pain.
        "tables": {
            "weekly": tables.weekly_rows(trends.weeks, unit),
            "pain_by_day": tables.pain_by_day_rows(trends.pain_by_day),
            "regions_above_knee": tables.region_rows(
                row for row in regions if row[1].region not in BELOW_KNEE_REGIONS
            ),
            "regions_below_knee": tables.region_rows(
                row for row in regions if row[1].region in BELOW_KNEE_REGIONS
            ),
        },
        "regions_marked": any(count.total for count in trends.regions),
    }


def summary_context(user: User, *, trends: selectors.Trends | None = None) -> dict[str, Any]:
    """This week against last week, alerts, shoe wear and patterns: the pairs' wear and
    the patterns are read once for the alerts and the lists. This week and last week are
    taken from ``trends`` (the dashboard's, just computed) when they span both weeks up
    to today; else they are read."""
    pairs = gear_list(Shoe, user=user)
    shoes = [pair for pair in pairs if pair.retired_on is None]
    patterns = list(selectors.patterns_for_user(user))
    rows = insights.shown_once(patterns)
    today = local_today(user)
    last_monday = analytics.week_start(today) - dt.timedelta(days=7)
    if trends is None or trends.end != today or trends.start > last_monday:
        trends = selectors.trends_for_user(user, start=last_monday, end=today)
    last_week, this_week = trends.weeks[-2:]
    return {
        "this_week": this_week,
        "last_week": last_week,
        "alerts": selectors.dashboard_alerts(
            user,
            shoes_in_use=shoes,
            retired_shoes=[pair.pk for pair in pairs if pair.retired_on is not None],
            patterns=patterns,
            recent=trends.recent,
        ),
        "shoes": shoes,
        # Judged first; those without enough data folded away under them.
        "patterns": [row for row in rows if row.item.verdict != Pattern.Verdict.INSUFFICIENT_DATA],
        "patterns_without_data": [
            row for row in rows if row.item.verdict == Pattern.Verdict.INSUFFICIENT_DATA
        ],
        "unit": profile_of(user).distance_unit,
    }


def definitions_page(request: HttpRequest) -> HttpResponse:
    """What every flag means and where its definition comes from; open to all, so that a
    clinician reading a shared report can follow the links too."""
    return render(
        request,
        "runs/definitions.html",
        {"definitions": analytics.DEFINITIONS.values(), "instruments": instruments.INSTRUMENTS.values()},
    )


@login_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filter_form, start, end = date_filter(request, RunFilterForm)
    page = paginate(
        request,
        # The list shows no odometer: summing every earlier run of each pair is wasted.
        selectors.runs_for_user(
            request.user, start=start, end=end, needs_pain=filter_form.needs_pain_only, odometer=False
        ),
    )
    template = "runs/run_list.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {"page": page, "filter_form": filter_form, "unit": profile_of(request.user).distance_unit},
    )


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def run_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RunForm(request.POST or None, user=request.user)
    template = "runs/run_form.html"
    # An unlikely run is asked about first ("Is this right?"): the form comes back with
    # the question and everything as typed.
    if request.method == "POST" and form.ready_to_save():
        run = save_form(form, lambda fields: services.run_create(user=request.user, **fields)[0])
        if run is not None:
            saved = selectors.run_get(request.user, run.pk)
            if not request.htmx:
                messages.success(request, saved_message(saved))
                return redirect("run_list")
            # In place of the form: what was saved and what it raised, and the first time
            # (once per account) an offer of a reminder for next-morning pain.
            return render(
                request,
                "runs/run_form.html#saved",
                {
                    "run": saved,
                    "raised": raised_by(saved),
                    "unit": form.unit,
                    "reminder_offer": offers_reminders(request.user),
                },
            )
    if request.htmx:
        template += "#form"
    return render(request, template, {"form": form, "unit": form.unit, "title": "Log a run"})


def offers_reminders(user: User) -> bool:
    """The offer of next-morning reminders in a run's confirmation: made once per account, and
    used up without being shown for a runner who has them on a device or turned them off."""
    if not account_services.reminder_offer_claim(user=user):
        return False
    return reminder_settings_of(user).next_morning and not push_subscriptions_for_user(user).exists()


@dataclass(frozen=True)
class Raised:
    """One flag a saved run raised, as the confirmation names it."""

    kind: str
    title: str
    detail: str


def raised_by(run: Run) -> list[Raised]:
    """The run's stored flags (docs/analytics.md#flags), in their order, each with what triggered it."""
    raised = []
    for kind in run.flags:
        definition = analytics.DEFINITIONS.get(kind)
        if definition is None:
            continue
        evidence = run.flag_evidence.get(kind) or {}
        detail = ""
        if kind == "long_run_spike" and run.spike_band:
            detail = f"{run.spike_band}, +{evidence.get('increase_pct', 0):.0f}\u00a0% on the longest of the 30 days before"
        elif kind in ("shoe_nearing", "shoe_worn") and evidence.get("threshold_m"):
            share = evidence["shoe_distance_m"] / evidence["threshold_m"]
            detail = f"{evidence.get('shoe_name', 'the pair')}, {share * 100:.0f}\u00a0% of its replacement distance"
        elif kind == "weekly_increase" and "increase_pct" in evidence:
            detail = f"+{evidence['increase_pct']:.0f}\u00a0% on the week before"
        elif kind == "pain_flare":
            detail = f"pain {run.pain_before} → {run.pain_after}"
        raised.append(Raised(kind=kind, title=definition.title, detail=detail))
    return raised


def saved_message(run: Run, saved: str = "Run saved.") -> str:
    """The message after a save without the in-page confirmation (no JavaScript)."""
    raised = raised_by(run)
    if not raised:
        return saved
    return (
        f"{saved} It raised: "
        + "; ".join(f"{flag.title} ({flag.detail})" if flag.detail else flag.title for flag in raised)
        + "."
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_edit(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    run = get_object_or_404(Run, pk=pk, user=request.user)
    form = RunForm(request.POST or None, instance=run, user=request.user)
    if (
        request.method == "POST"
        and form.ready_to_save()
        and save_form(form, lambda fields: services.run_update(run, **fields))
    ):
        messages.success(request, saved_message(selectors.run_get(request.user, run.pk), "Run updated."))
        return redirect("run_list")
    return render(
        request, "runs/run_form.html", {"form": form, "unit": form.unit, "title": "Edit run", "run": run}
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_delete(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    run = get_object_or_404(Run, pk=pk, user=request.user)
    return confirm_delete(
        request,
        run,
        delete=services.run_delete,
        what="run",
        cancel_url=reverse("run_list"),
        done_url=reverse("run_list"),
        description=(
            f"{run.get_activity_display()} of "
            f"{format_distance(run.distance_m, profile_of(request.user).distance_unit)} on "
            f"{timezone.localtime(run.started_at):%a %d %b %Y, %H:%M}"
        ),
    )


@login_required
@require_POST
def run_next_morning(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The one-tap answer to "how is your back this morning?" for yesterday's run."""
    run = get_object_or_404(Run, pk=pk, user=request.user)
    form = NextMorningPainForm(request.POST)
    if form.is_valid():
        services.run_update(run, pain_next_morning=form.cleaned_data["pain_next_morning"])
    elif not request.htmx:
        messages.error(request, "Choose a pain score from 0 to 10.")
    if not request.htmx:
        return redirect("dashboard")
    return render(
        request,
        "runs/next_morning.html#question",
        {
            "run": run,
            "unit": profile_of(request.user).distance_unit,
            "form": form,
            "yesterday": yesterday(request.user),
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def checkin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filter_form, start, end = date_filter(request)
    page = paginate(request, selectors.checkins_for_user(request.user, start=start, end=end))
    template = "runs/checkin_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"page": page, "filter_form": filter_form})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PainCheckinForm(request.POST or None, user=request.user)
    if request.method == "POST" and save_form(
        form, lambda fields: services.checkin_create(user=request.user, **fields)[0]
    ):
        messages.success(request, "Pain check-in saved.")
        return redirect("dashboard")
    return render(request, "runs/checkin_form.html", {"form": form, "title": "Pain check-in"})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_edit(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    checkin = get_object_or_404(PainCheckin, pk=pk, user=request.user)
    form = PainCheckinForm(request.POST or None, instance=checkin, user=request.user)
    if request.method == "POST" and save_form(
        form, lambda fields: services.checkin_update(checkin, **fields)
    ):
        messages.success(request, "Check-in updated.")
        return redirect("checkin_list")
    return render(
        request, "runs/checkin_form.html", {"form": form, "title": "Edit pain check-in", "checkin": checkin}
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_delete(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    checkin = get_object_or_404(PainCheckin, pk=pk, user=request.user)
    return confirm_delete(
        request,
        checkin,
        delete=services.checkin_delete,
        what="pain check-in",
        cancel_url=reverse("checkin_list"),
        done_url=reverse("checkin_list"),
    )
