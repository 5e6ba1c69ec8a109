from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from backpainlog.api import (
    ClientIdField,
    ModelSerializer,
    ServiceViewSet,
    UserOwnedPrimaryKeyField,
    UserScopedMixin,
)
from runs import analytics, selectors, services
from runs.insights import Flag
from runs.models import PAIN_REGIONS, RED_FLAGS, PainCheckin, Pattern, Run
from shoes.models import Insole, Shoe

FLAG_KINDS = list(analytics.FLAG_KINDS)
# Empty is "no bound": a browser's filter form sends its empty fields (``?from=&to=``).
DATE_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
DATE_RANGE_PARAMETERS = [
    OpenApiParameter(
        "from", DATE_OR_EMPTY, description="First local date, YYYY-MM-DD (inclusive), 1900 … 2100."
    ),
    OpenApiParameter(
        "to", DATE_OR_EMPTY, description="Last local date, YYYY-MM-DD (inclusive), 1900 … 2100."
    ),
]
CLIENT_ID_HELP = (
    "Optional on create: a client-generated id makes the create idempotent. The same id "
    "with the same values in the fields sent answers 200 with the stored entry; with "
    "different values, 409. An id already used by someone else is a 400."
)


class CodeListField(serializers.ListField):
    """A list of codes from a fixed set, each at most once (the model stores a set)."""

    def __init__(self, *, codes: list[str], **kwargs: Any) -> None:
        super().__init__(child=serializers.ChoiceField(choices=codes), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        codes = super().to_internal_value(data)
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise serializers.ValidationError(f"Listed more than once: {', '.join(twice)}.")
        return codes


PAIN_REGIONS_HELP = (
    "Where it hurt, seen from behind (docs/product.md#where-it-hurts), each code once. A thigh or below-knee "
    "region is pain down the leg."
)


def pain_regions_field() -> CodeListField:
    return CodeListField(codes=list(PAIN_REGIONS), required=False, help_text=PAIN_REGIONS_HELP)


class RunSerializer(ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)
    shoe = UserOwnedPrimaryKeyField(
        queryset=Shoe.objects.all(),
        allow_null=True,
        required=False,
        help_text="One of your shoes; omitted on create, your default pair; null for none.",
    )
    insole = UserOwnedPrimaryKeyField(
        queryset=Insole.objects.all(),
        allow_null=True,
        required=False,
        help_text="One of your insoles; omitted on create, your default pair; null for none.",
    )
    pace_s_per_km = serializers.FloatField(read_only=True, allow_null=True)
    shoe_distance_m = serializers.FloatField(
        read_only=True, allow_null=True, help_text="The shoe's odometer at the start of this run."
    )
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    spike_band = serializers.CharField(read_only=True, allow_null=True)
    acwr = serializers.FloatField(read_only=True, allow_null=True)
    session_load = serializers.FloatField(
        read_only=True, allow_null=True, help_text="RPE × duration in minutes (AU); null unless both are set."
    )
    pain_regions = pain_regions_field()

    class Meta:
        model = Run
        fields = [
            "id",
            "started_at",
            "activity",
            "distance_m",
            "duration_s",
            "elevation_gain_m",
            "surface",
            "shoe",
            "insole",
            "pain_before",
            "pain_after",
            "pain_next_morning",
            "rpe",
            "notes",
            "source",
            "pace_s_per_km",
            "shoe_distance_m",
            "flags",
            "spike_band",
            "acwr",
            "session_load",
            "pain_regions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "duration_s": {
                "help_text": (
                    "Seconds. A run or walk of 1000 m or more faster than 120 s/km (run) or "
                    "210 s/km (walk) is a 400 on this field, with the pace in the message."
                )
            }
        }


@extend_schema_view(
    list=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your runs, newest first"),
    create=extend_schema(
        summary="Log a run (idempotent with a client id)",
        responses={
            201: RunSerializer,
            200: OpenApiResponse(RunSerializer, description="Retry of an identical create."),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class RunViewSet(ServiceViewSet):
    """Your runs. Times are shown in your profile's time zone; distances in metres."""

    serializer_class = RunSerializer
    queryset = Run.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[Run]:
        start, end = self.date_range() if self.action == "list" else (None, None)
        return selectors.runs_for_user(self.request.user, start=start, end=end)

    def create_object(self, data: dict[str, Any]) -> tuple[Run, bool]:
        return services.run_create(user=self.request.user, **data)

    def update_object(self, instance: Run, data: dict[str, Any]) -> Run:
        return services.run_update(instance, **data)

    def delete_object(self, instance: Run) -> None:
        services.run_delete(instance)


class PainCheckinSerializer(ModelSerializer):
    id = ClientIdField(required=False, help_text=CLIENT_ID_HELP)
    pain_regions = pain_regions_field()
    red_flags = CodeListField(
        codes=list(RED_FLAGS),
        required=False,
        help_text=(
            "New symptoms that need a doctor today: numbness in the groin or buttocks "
            "(saddle_numbness), new trouble controlling the bladder or bowel (bladder_bowel), "
            "new weakness in a leg (leg_weakness)."
        ),
    )
    see_doctor = serializers.BooleanField(
        read_only=True, help_text="True when any red flag is recorded: see a doctor today."
    )

    class Meta:
        model = PainCheckin
        fields = [
            "id",
            "recorded_at",
            "score",
            "radiating_leg_pain",
            "pain_regions",
            "red_flags",
            "see_doctor",
            "notes",
            "flare",
            "episode",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["flare", "episode", "created_at", "updated_at"]
        extra_kwargs = {
            "recorded_at": {"required": True},
            "radiating_leg_pain": {"help_text": "Set by any thigh or below-knee region, too."},
        }


@extend_schema_view(
    list=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your pain check-ins, newest first"),
    create=extend_schema(
        summary="Record a pain check-in (idempotent with a client id)",
        responses={
            201: PainCheckinSerializer,
            200: OpenApiResponse(PainCheckinSerializer, description="Retry of an identical create."),
            409: OpenApiResponse(description="The id is taken by a different entry."),
        },
    ),
)
class PainCheckinViewSet(ServiceViewSet):
    """Your pain diary: scores from 0 (no pain) to 10 (worst imaginable) between runs."""

    serializer_class = PainCheckinSerializer
    queryset = PainCheckin.objects.none()  # for the schema; get_queryset() scopes to the caller

    def get_queryset(self) -> QuerySet[PainCheckin]:
        start, end = self.date_range() if self.action == "list" else (None, None)
        return selectors.checkins_for_user(self.request.user, start=start, end=end)

    def create_object(self, data: dict[str, Any]) -> tuple[PainCheckin, bool]:
        return services.checkin_create(user=self.request.user, **data)

    def update_object(self, instance: PainCheckin, data: dict[str, Any]) -> PainCheckin:
        return services.checkin_update(instance, **data)

    def delete_object(self, instance: PainCheckin) -> None:
        services.checkin_delete(instance)


# --- Analytics (docs/api.md#analytics) ----------------------------------------------------


class FlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FLAG_KINDS)
    severity = serializers.ChoiceField(choices=["info", "warning", "alert"])
    date = serializers.DateField(help_text="The local date the flag is about.")
    run = serializers.UUIDField(allow_null=True)
    shoe = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    detail = serializers.CharField(help_text="What triggered it, in your distance unit.")
    evidence = serializers.DictField(help_text="The figures that triggered it (metres, dates).")
    definition_url = serializers.SerializerMethodField(help_text="The definition and its source.")

    def get_definition_url(self, flag: Flag) -> str:
        return self.context["request"].build_absolute_uri(flag.definition_url)


class InsightSerializer(serializers.Serializer):
    exposure = serializers.CharField(
        help_text=(
            "long_run_spike, weekly_increase, acwr_high, shoe_worn, shoe:<id>, surface:<value>, "
            "long_run_spike_48h, weekly_increase_48h, acwr_high_48h"
        )
    )
    label = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=Pattern.Outcome.choices,
        help_text="The run's own flare-up, or (the _48h exposures) also one on the two days after.",
    )
    exposed_runs = serializers.IntegerField()
    exposed_flares = serializers.IntegerField()
    unexposed_runs = serializers.IntegerField()
    unexposed_flares = serializers.IntegerField()
    risk_ratio = serializers.FloatField(allow_null=True)
    ci95_low = serializers.FloatField(allow_null=True)
    ci95_high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True, help_text="Fisher's exact test, two-sided.")
    p_adjusted = serializers.FloatField(
        allow_null=True,
        help_text="Benjamini–Hochberg over the items of this response whose verdict is not insufficient_data.",
    )
    exposed_periods = serializers.IntegerField(
        help_text="Separate stretches of consecutive exposed runs among the rated runs in time order."
    )
    same_as = serializers.ListField(
        child=serializers.CharField(), help_text="Exposures with the same outcome that select the same runs."
    )
    verdict = serializers.ChoiceField(choices=Pattern.Verdict.choices)
    message = serializers.CharField()


class EpisodeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    flare_days = serializers.ListField(child=serializers.DateField())
    peak = serializers.IntegerField(
        allow_null=True, help_text="Highest pain after, next-morning or check-in score in it."
    )
    runs = serializers.ListField(child=serializers.UUIDField(), help_text="The flare-up runs.")
    checkins = serializers.ListField(child=serializers.UUIDField(), help_text="The flare-up check-ins.")


class AnalyticsListView(UserScopedMixin, generics.ListAPIView):
    """A read-only, paginated list computed for the caller over ``from``/``to``."""

    def list_for(self, user: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
        raise NotImplementedError

    def get_queryset(self) -> list[Any]:  # type: ignore[override]
        return self.list_for(self.request.user, *self.date_range())


@extend_schema_view(get=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Your flags, newest first"))
class FlagListView(AnalyticsListView):
    """Run flags, check-in flare-ups, each pair's crossing of 80 % and 100 % of its
    replacement distance, and likely patterns (docs/analytics.md#flags)."""

    serializer_class = FlagSerializer

    def list_for(self, user: Any, start: dt.date | None, end: dt.date | None) -> list[Flag]:
        return selectors.flags_for_user(user, start=start, end=end)


@extend_schema_view(
    get=extend_schema(parameters=DATE_RANGE_PARAMETERS, summary="Patterns between exposures and flare-ups")
)
class InsightListView(AnalyticsListView):
    """For each exposure, the 2×2 table of runs (with pain before and after) in the period
    against pain flare-ups, the risk ratio with its 95 % interval, Fisher's p-value and a
    verdict. A pattern in this one log, not proof of cause."""

    serializer_class = InsightSerializer

    def list_for(self, user: Any, start: dt.date | None, end: dt.date | None) -> list[Any]:
        return selectors.associations_for_user(user, start=start, end=end)


@extend_schema_view(
    get=extend_schema(
        parameters=DATE_RANGE_PARAMETERS, summary="Flare-up episodes, newest first (from/to on the start)"
    )
)
class EpisodeListView(AnalyticsListView):
    """Flare days (of runs and check-ins) with gaps of at most 3 days
    (docs/analytics.md#flare-up-episodes)."""

    serializer_class = EpisodeSerializer

    def list_for(self, user: Any, start: dt.date | None, end: dt.date | None) -> list[analytics.Episode]:
        return selectors.episodes_for_user(user, start=start, end=end)


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="A Monday, in your time zone.")
    distance_m = serializers.FloatField(help_text="Runs only: walks are not load.")
    run_count = serializers.IntegerField()
    walk_distance_m = serializers.FloatField()
    duration_s = serializers.IntegerField(allow_null=True)
    change_pct = serializers.FloatField(
        allow_null=True, help_text="Against the week before; null when that was 0."
    )
    acwr = serializers.FloatField(
        allow_null=True, help_text="EWMA ACWR on the week's last day (today for this week)."
    )
    pain_before_avg = serializers.FloatField(allow_null=True)
    pain_after_avg = serializers.FloatField(allow_null=True)
    pain_max = serializers.IntegerField(allow_null=True)
    flare_count = serializers.IntegerField(help_text="Runs with a pain flare-up and flare-up check-ins.")
    session_load = serializers.FloatField(
        allow_null=True, help_text="AU: RPE × minutes, summed over the week's activities that have both."
    )
    session_load_change_pct = serializers.FloatField(
        allow_null=True, help_text="Against the week before; null when that had none."
    )
    radiating_days = serializers.IntegerField(help_text="Days with a check-in reporting radiating leg pain.")


@extend_schema_view(
    get=extend_schema(
        parameters=DATE_RANGE_PARAMETERS,
        summary="Weekly figures, one item per week (empty weeks included)",
    )
)
class WeeklyStatsView(AnalyticsListView):
    """Monday-started weeks in your time zone, from the week of ``from`` (default: your first
    entry) to the week of ``to`` (default: this week), oldest first."""

    serializer_class = WeekSerializer

    def list_for(self, user: Any, start: dt.date | None, end: dt.date | None) -> list[analytics.WeekStats]:
        return selectors.weekly_stats_for_user(user, start=start, end=end)
