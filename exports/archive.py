"""``account.zip``: everything the user has, machine-readable (docs/product.md#account-archive, "download all
my data"), written as a zip stream: each file is compressed as it is produced and the
archive goes out in pieces, so its size does not matter to the server's memory."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from audit.api import AuditEventSerializer
from audit.selectors import audit_events_for_user
from backpainlog.accounts.api import ProfileSerializer
from backpainlog.accounts.selectors import local_today, profile_of, user_zone
from clinical.api import QuestionnaireResponseSerializer, TreatmentSerializer
from exports import selectors
from exports.csv import runs_csv_rows
from exports.fhir import fhir_bundle_chunks
from exports.http import attachment, batched
from runs.api import PainCheckinSerializer, RunSerializer
from runs.models import Pattern
from runs.selectors import patterns_for_user
from runs.services import ASSOCIATION_FIELDS
from shoes.api import GEAR_FIELDS
from shoes.models import Insole, Shoe

README = """\
Your backpainlog data, exported {exported_at}.

Distances are in metres, durations in seconds, date-times ISO 8601 with your time zone's
offset ({zone}). Pain scores are 0 (none) to 10 (worst imaginable).

runs.csv           Your runs, one row per run: the same file as "Export CSV". The SI
                   columns (id … notes) can be imported back; the last columns repeat
                   distance, duration and pace in your unit ({unit}) for reading.
                   Text cells that a spreadsheet would run as a formula start with an
                   apostrophe.
runs.json          Your runs as the API gives them, with the flags the app derived.
pain_checkins.json Your pain check-ins, with where it hurt and any new symptoms.
questionnaire_responses.json
                   Your questionnaire answers (RMDQ, PSFS, 7-day pain) with their
                   scores and the change from your first.
treatments.json    Your treatments: medication, physiotherapy and the others.
shoes.json         Your shoes, with their starting distance and replacement distance.
insoles.json       Your insoles, likewise.
profile.json       Your settings: distance unit, time zone, default replacement distance.
patterns.json      The patterns the app found between exposures (spikes, surfaces,
                   shoes) and pain flare-ups, with their counts: patterns in your own
                   log, not proof of cause.
fhir.json          Your pain scores, runs, questionnaires and treatments as a FHIR R4
                   Bundle, for a clinician's records system.
audit_events.json  Your account activity: sign-ins (with the address for those),
                   failed sign-ins, API tokens, exports, share links and every time
                   one was opened. Always whole, newest first.
README.txt         This file.
"""

PATTERN_FIELDS = ["exposure", *ASSOCIATION_FIELDS, "likely_since", "updated_at"]
# The stored gear fields: the API adds odometers and projections, derived from the runs.
GEAR_EXPORT_FIELDS = [
    name
    for name in GEAR_FIELDS
    if name
    not in {"distance_m", "remaining_m", "wear_ratio", "status", "projected_replacement_date", "run_count"}
]


class RunExportSerializer(RunSerializer):
    """A run as the API gives it, without the shoe odometer (derived from other runs)."""

    class Meta(RunSerializer.Meta):
        fields = [name for name in RunSerializer.Meta.fields if name != "shoe_distance_m"]


class _Pipe:
    """A write-only, unseekable file that keeps what was written until it is taken:
    zipfile writes the archive into it, the response sends it on."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._pieces)
        self._pieces = []
        return data


def _json_array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for number, item in enumerate(items):
        yield ("," if number else "") + "\n" + json.dumps(item, cls=JSONEncoder, ensure_ascii=False)
    yield "\n]\n"


def _in_zone(
    zone: dt.tzinfo, items: Iterable[Any], represent: Callable[[Any], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Each item represented with date-times in ``zone``: REST framework writes them in the
    active time zone, and a streamed response is written after the view has returned."""
    for item in items:
        with timezone.override(zone):
            yield represent(item)


def _files(
    user: AbstractBaseUser, start: dt.date | None, end: dt.date | None
) -> list[tuple[str, Callable[[], Iterable[str]]]]:
    zone, profile = user_zone(user), profile_of(user)
    chunk = selectors.CHUNK_SIZE

    def gear(queryset: Iterable[Shoe | Insole]) -> Callable[[], Iterable[str]]:
        return lambda: _json_array(
            {name: getattr(pair, name) for name in GEAR_EXPORT_FIELDS} for pair in queryset
        )

    def pattern(item: Pattern) -> dict[str, Any]:
        values = {name: getattr(item, name) for name in PATTERN_FIELDS}
        for name in ("likely_since", "updated_at"):
            if values[name] is not None:
                values[name] = values[name].astimezone(zone).isoformat()
        return values

    readme = README.format(
        exported_at=timezone.now().astimezone(zone).isoformat(timespec="seconds"),
        zone=profile.timezone,
        unit=profile.distance_unit,
    )
    return [
        ("README.txt", lambda: [readme]),
        ("runs.csv", lambda: runs_csv_rows(user, start=start, end=end)),
        (
            "runs.json",
            lambda: _json_array(
                _in_zone(
                    zone,
                    selectors.runs_for_export(user, start=start, end=end).iterator(chunk_size=chunk),
                    RunExportSerializer().to_representation,
                )
            ),
        ),
        (
            "pain_checkins.json",
            lambda: _json_array(
                _in_zone(
                    zone,
                    selectors.checkins_for_export(user, start=start, end=end).iterator(chunk_size=chunk),
                    PainCheckinSerializer().to_representation,
                )
            ),
        ),
        (
            "questionnaire_responses.json",
            lambda: _json_array(
                _in_zone(
                    zone,
                    selectors.responses_for_export(user, start=start, end=end).iterator(chunk_size=chunk),
                    QuestionnaireResponseSerializer().to_representation,
                )
            ),
        ),
        (
            "treatments.json",
            lambda: _json_array(
                _in_zone(
                    zone,
                    selectors.treatments_for_export(user, start=start, end=end).iterator(chunk_size=chunk),
                    TreatmentSerializer().to_representation,
                )
            ),
        ),
        ("shoes.json", gear(selectors.shoes_for_export(user))),
        ("insoles.json", gear(selectors.insoles_for_export(user))),
        (
            "profile.json",
            lambda: [json.dumps(ProfileSerializer(profile).data, cls=JSONEncoder, ensure_ascii=False)],
        ),
        ("patterns.json", lambda: _json_array(pattern(item) for item in patterns_for_user(user))),
        ("fhir.json", lambda: fhir_bundle_chunks(user, start=start, end=end)),
        (
            "audit_events.json",
            lambda: _json_array(
                _in_zone(
                    zone,
                    audit_events_for_user(user).iterator(chunk_size=chunk),
                    AuditEventSerializer().to_representation,
                )
            ),
        ),
    ]


def account_zip_chunks(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[bytes]:
    """The archive's bytes, sent on whenever a few tens of kilobytes are ready. Runs and
    check-ins, questionnaire answers and treatments (in every file that holds them) are
    those dated ``start`` … ``end``; shoes,
    insoles, settings and patterns are always whole."""
    pipe = _Pipe()
    stamp = timezone.now().astimezone(user_zone(user)).timetuple()[:6]
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for name, produce in _files(user, start, end):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            member: IO[bytes]
            with archive.open(info, mode="w") as member:
                for text in batched(produce()):
                    member.write(text.encode())
                    if data := pipe.take():
                        yield data
            if data := pipe.take():
                yield data
    yield pipe.take()


def account_zip_filename(user: AbstractBaseUser) -> str:
    return f"backpainlog-account-{local_today(user).isoformat()}.zip"


def stream_account_zip(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        account_zip_chunks(user, start=start, end=end), content_type="application/zip"
    )
    return attachment(response, account_zip_filename(user))
