"""The FHIR R4 Bundle (docs/product.md#fhir-bundle): the user's pain scores and runs as Observations, for a
clinician's system.

Choices, so that a reader of the file can trust it:

- **Patient**: only an opaque id. The app knows a username and an e-mail address, which
  identify the user but are not health data; a name is included only when the user
  entered one in their account.
- **Pain scores** (LOINC 72514-3, 0–10) are dated when they were taken: a check-in at its
  time; a run's pain before at its start, after at its end (the start when the duration
  is unknown); pain the next morning on the date after the run, as a date without a time
  (FHIR allows that), since the app never asks at what hour it was felt. Body site: lower
  back, the pain the app records.
- **Runs and walks** are exercise Observations: the duration in minutes (LOINC 55411-3;
  ``dataAbsentReason`` "unknown" when it was not recorded), the period of the session,
  and as components with the app's own code system (LOINC has no codes for them) the
  distance, activity, surface, elevation gain, perceived exertion, shoe and insole. The
  pain scores taken around a run are its members (``hasMember``).
- **Where it hurts** (docs/product.md#where-it-hurts): each body-map region marked on a check-in, or on a run
  (on its before and after scores), is a "finding site" component (SNOMED CT 363698007)
  with the region's SNOMED CT body structure, left and right as a laterality refinement
  (272741003 = 7771000 left / 24028007 right, a post-coordinated expression); with one
  region marked it is also the Observation's ``bodySite`` (which holds one), otherwise
  that stays the lower back.
- **Red flags**: one Observation per new symptom ticked on a check-in, ``valueBoolean``
  true, at the check-in's time, with the app's own codes.
- **Questionnaires**: a ``Questionnaire`` for each one answered (the published items),
  each response a ``QuestionnaireResponse`` and an ``Observation`` of its total score
  derived from it. The totals carry the app's own codes: LOINC codes for these
  instruments could not be confirmed when this was written, and a wrong LOINC code is
  worse for a receiving system than a local one it does not know.
- **Treatments**: medication as ``MedicationStatement`` (the name and dose as text: no
  drug coding is known), the others as ``Procedure`` coded with the app's own codes.
- Ids are UUIDs derived from the app's own ids, so exporting twice gives the same ids;
  every entry has ``fullUrl`` ``urn:uuid:<id>`` and references use those.

The Bundle is streamed entry by entry: ten years of daily runs are tens of thousands of
resources, never all in memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from backpainlog.accounts.selectors import local_today, user_zone
from clinical import instruments
from clinical.models import QuestionnaireResponse, Treatment
from exports.http import attachment, batched
from exports.selectors import (
    CHUNK_SIZE,
    checkins_for_export,
    responses_for_export,
    runs_for_export,
    treatments_for_export,
)
from runs.models import PAIN_REGIONS, RED_FLAGS, PainCheckin, Run

FHIR_CONTENT_TYPE = "application/fhir+json"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
# The app's own code systems, for what LOINC has no code for. A ".example" host: an
# identifier that names the app and that nobody else will ever define differently.
LOCAL_SYSTEM = "https://backpainlog.example/fhir/CodeSystem/"
RUN_SYSTEM = LOCAL_SYSTEM + "run"
ACTIVITY_SYSTEM = LOCAL_SYSTEM + "activity"
SURFACE_SYSTEM = LOCAL_SYSTEM + "surface"
PAIN_CONTEXT_SYSTEM = LOCAL_SYSTEM + "pain-context"
RED_FLAG_SYSTEM = LOCAL_SYSTEM + "red-flag"
SCORE_SYSTEM = LOCAL_SYSTEM + "questionnaire-score"
TREATMENT_SYSTEM = LOCAL_SYSTEM + "treatment"
QUESTIONNAIRE_URL = "https://backpainlog.example/fhir/Questionnaire/"

PAIN_CODE = {
    "coding": [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
}
EXERCISE_CODE = {"system": LOINC, "code": "55411-3", "display": "Exercise duration"}
LOWER_BACK = {"coding": [{"system": SNOMED, "code": "37822005", "display": "Lower back structure"}]}
SURVEY = [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}]
ACTIVITY = [{"coding": [{"system": CATEGORY, "code": "activity", "display": "Activity"}]}]
UNKNOWN = {"coding": [{"system": DATA_ABSENT, "code": "unknown", "display": "Unknown"}]}

# SNOMED CT: body structures (seen from behind, as the body map is) and the laterality
# refinement. Lower back structure 37822005, buttock structure 46862004, thigh structure
# 68367000, lower leg structure 30021000; laterality (attribute) 272741003, left 7771000,
# right 24028007; finding site (attribute) 363698007.
FINDING_SITE = {"coding": [{"system": SNOMED, "code": "363698007", "display": "Finding site"}]}
_STRUCTURES = {"low_back": "37822005", "buttock": "46862004", "thigh": "68367000", "below_knee": "30021000"}
_SIDES = {"left": "7771000", "right": "24028007"}


def region_site(region: str) -> dict[str, Any]:
    """A body-map region as a SNOMED CT CodeableConcept: "low_back_left" is lower back
    structure refined with laterality left (``37822005:272741003=7771000``)."""
    part, _, side = region.rpartition("_")
    code = _STRUCTURES[part] if side == "center" else f"{_STRUCTURES[part]}:272741003={_SIDES[side]}"
    return {"coding": [{"system": SNOMED, "code": code}], "text": PAIN_REGIONS[region]}


# When a run's pain score was taken, as the app asks it.
PAIN_MOMENTS = {
    "pain_before": "Before the run",
    "pain_after": "After the run",
    "pain_next_morning": "The morning after the run",
}
# One namespace for the ids derived from the app's ids (uuid5 of the entity and a name).
ID_NAMESPACE = uuid.UUID("5f0c7d2e-8a4b-4c1e-9b57-2d6a3f1e0c9a")


def patient_id(user: AbstractBaseUser) -> str:
    """A stable id that does not reveal the database key: an HMAC of it under the site's
    secret key, shaped as a UUID. Derived rather than stored, so that a download writes
    nothing; a new secret key gives new patient ids (the observations keep theirs)."""
    digest = salted_hmac("exports.fhir.patient", str(user.pk), algorithm="sha256").digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def derived_id(source: uuid.UUID, name: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{source}/{name}"))


# FHIR strings are never empty and should hold no control characters but tab, CR and LF.
_CONTROL = dict.fromkeys(code for code in range(32) if code not in (9, 10, 13))


def fhir_string(text: str | None) -> str | None:
    """``text`` as a valid FHIR string, or None when nothing is left of it."""
    cleaned = (text or "").translate(_CONTROL).strip()
    return cleaned or None


def fhir_datetime(moment: dt.datetime) -> str:
    """``moment`` as a FHIR dateTime: with its local offset, unless that offset is not in
    whole minutes (the local mean times zones kept into the 1930s, such as Amsterdam's
    +00:19:32), which FHIR cannot express: then in UTC, the same instant."""
    offset = moment.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        moment = moment.astimezone(dt.UTC)
    return moment.isoformat()


def _urn(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": _urn(resource["id"]), "resource": resource}


def _coded(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _component(code: str, display: str, **value: Any) -> dict[str, Any]:
    return {"code": _coded(RUN_SYSTEM, code, display), **value}


def patient(user: AbstractBaseUser) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": patient_id(user)}
    given = fhir_string(getattr(user, "first_name", ""))
    family = fhir_string(getattr(user, "last_name", ""))
    if given or family:
        name: dict[str, Any] = {"text": " ".join(part for part in (given, family) if part)}
        if family:
            name["family"] = family
        if given:
            name["given"] = [given]
        resource["name"] = [name]
    return resource


def pain_observation(
    resource_id: str,
    *,
    subject: str,
    score: int,
    effective: str,
    context: str,
    extra: dict[str, Any] | None = None,
    regions: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    resource = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": SURVEY,
        "code": {**PAIN_CODE, "text": f"Back pain (0–10): {context.lower()}"},
        "subject": {"reference": subject},
        "effectiveDateTime": effective,
        "valueInteger": score,
        "bodySite": region_site(regions[0]) if len(regions) == 1 else LOWER_BACK,
        **(extra or {}),
    }
    if regions:
        resource["component"] = [
            *resource.get("component", []),
            *({"code": FINDING_SITE, "valueCodeableConcept": region_site(region)} for region in regions),
        ]
    return resource


def _run_pain(run: Run, zone: dt.tzinfo, subject: str) -> list[dict[str, Any]]:
    start = run.started_at.astimezone(zone)
    taken = {
        "pain_before": fhir_datetime(start),
        "pain_after": fhir_datetime(start + dt.timedelta(seconds=run.duration_s or 0)),
        "pain_next_morning": (start.date() + dt.timedelta(days=1)).isoformat(),
    }
    return [
        pain_observation(
            derived_id(run.id, field),
            subject=subject,
            score=score,
            effective=taken[field],
            context=context,
            regions=run.pain_regions if field != "pain_next_morning" else (),
            extra={
                "component": [
                    {
                        "code": _coded(PAIN_CONTEXT_SYSTEM, "moment", "When the score was taken"),
                        "valueCodeableConcept": _coded(PAIN_CONTEXT_SYSTEM, field.replace("_", "-"), context),
                    }
                ]
            },
        )
        for field, context in PAIN_MOMENTS.items()
        if (score := getattr(run, field)) is not None
    ]


def exercise_observation(run: Run, *, zone: dt.tzinfo, subject: str, members: list[str]) -> dict[str, Any]:
    start = run.started_at.astimezone(zone)
    activity = run.get_activity_display()
    components = [
        _component("distance", "Distance", valueQuantity=_quantity(run.distance_m, "m")),
        _component(
            "activity", "Activity", valueCodeableConcept=_coded(ACTIVITY_SYSTEM, run.activity, activity)
        ),
        _component(
            "surface",
            "Surface",
            valueCodeableConcept=_coded(SURFACE_SYSTEM, run.surface, run.get_surface_display()),
        ),
    ]
    if run.elevation_gain_m is not None:
        components.append(
            _component("elevation-gain", "Elevation gain", valueQuantity=_quantity(run.elevation_gain_m, "m"))
        )
    if run.rpe is not None:
        components.append(_component("rpe", "Rating of perceived exertion (1–10)", valueInteger=run.rpe))
    for code, display, pair in (("shoe", "Shoe", run.shoe), ("insole", "Insole", run.insole)):
        if pair is not None and (name := fhir_string(pair.name)):
            components.append(_component(code, display, valueString=name))
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": derived_id(run.id, "exercise"),
        "status": "final",
        "category": ACTIVITY,
        "code": {"coding": [EXERCISE_CODE], "text": f"{activity}: exercise duration"},
        "subject": {"reference": subject},
    }
    if run.duration_s:
        end = start + dt.timedelta(seconds=run.duration_s)
        resource["effectivePeriod"] = {"start": fhir_datetime(start), "end": fhir_datetime(end)}
        resource["valueQuantity"] = _quantity(round(run.duration_s / 60, 2), "min")
    else:
        resource["effectiveDateTime"] = fhir_datetime(start)
        resource["dataAbsentReason"] = UNKNOWN
    if notes := fhir_string(run.notes):
        resource["note"] = [{"text": notes}]
    if members:
        resource["hasMember"] = [{"reference": member} for member in members]
    resource["component"] = components
    return resource


def checkin_observation(checkin: PainCheckin, *, zone: dt.tzinfo, subject: str) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "component": [
            {
                "code": _coded(PAIN_CONTEXT_SYSTEM, "radiating-leg-pain", "Pain radiating into a leg"),
                "valueBoolean": checkin.radiating_leg_pain,
            }
        ]
    }
    if notes := fhir_string(checkin.notes):
        extra["note"] = [{"text": notes}]
    return pain_observation(
        derived_id(checkin.id, "pain"),
        subject=subject,
        score=checkin.score,
        effective=fhir_datetime(checkin.recorded_at.astimezone(zone)),
        context="Check-in",
        extra=extra,
        regions=checkin.pain_regions,
    )


def red_flag_observations(checkin: PainCheckin, *, zone: dt.tzinfo, subject: str) -> list[dict[str, Any]]:
    """One Observation per new symptom ticked on the check-in (docs/analytics.md#red-flags)."""
    return [
        {
            "resourceType": "Observation",
            "id": derived_id(checkin.id, f"red-flag/{code}"),
            "status": "final",
            "category": SURVEY,
            "code": _coded(RED_FLAG_SYSTEM, code.replace("_", "-"), RED_FLAGS[code]),
            "subject": {"reference": subject},
            "effectiveDateTime": fhir_datetime(checkin.recorded_at.astimezone(zone)),
            "valueBoolean": True,
            "note": [{"text": "New symptom that needs a doctor the same day."}],
            "derivedFrom": [{"reference": _urn(derived_id(checkin.id, "pain"))}],
        }
        for code in checkin.red_flags
    ]


# ---------------------------------------------------------------------- questionnaires


def questionnaire_id(key: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"questionnaire/{key}"))


def questionnaire_resource(key: str) -> dict[str, Any]:
    """The questionnaire as published (docs/product.md#fhir-bundle): its items in order, linkIds "1", "2" …"""
    instrument = instruments.INSTRUMENTS[key]
    if key == instruments.RMDQ:
        items = [
            {"linkId": str(number), "text": text, "type": "boolean"}
            for number, text in enumerate(instrument.items, start=1)
        ]
    elif key == instruments.PSFS:
        items = [
            {
                "linkId": str(number),
                "text": text,
                "type": "group",
                "required": number == 1,
                "item": [
                    {"linkId": f"{number}.activity", "text": "Activity", "type": "string", "required": True},
                    {
                        "linkId": f"{number}.score",
                        "text": "Score (0–10)",
                        "type": "integer",
                        "required": True,
                    },
                ],
            }
            for number, text in enumerate(instrument.items, start=1)
        ]
    else:
        items = [{"linkId": "1", "text": instrument.items[0], "type": "integer", "required": True}]
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(key),
        "url": QUESTIONNAIRE_URL + key,
        "name": key.upper().replace("_", ""),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{instrument.instructions}\n\nSource: {instrument.source}",
        "item": items,
    }


def _answer_items(key: str, answers: Any) -> list[dict[str, Any]]:
    if key == instruments.RMDQ:
        return [
            {"linkId": str(number), "answer": [{"valueBoolean": ticked}]}
            for number, ticked in enumerate(answers, start=1)
        ]
    if key == instruments.PSFS:
        return [
            {
                "linkId": str(number),
                "item": [
                    {
                        "linkId": f"{number}.activity",
                        "answer": [{"valueString": fhir_string(answer["activity"])}],
                    },
                    {"linkId": f"{number}.score", "answer": [{"valueInteger": answer["score"]}]},
                ],
            }
            for number, answer in enumerate(answers, start=1)
        ]
    return [{"linkId": "1", "answer": [{"valueInteger": answers["score"]}]}]


def response_resources(
    response: QuestionnaireResponse, *, zone: dt.tzinfo, subject: str
) -> list[dict[str, Any]]:
    """The response as a QuestionnaireResponse, and its total score as an Observation."""
    key = response.questionnaire
    instrument = instruments.INSTRUMENTS[key]
    authored = fhir_datetime(response.completed_at.astimezone(zone))
    answered = {
        "resourceType": "QuestionnaireResponse",
        "id": derived_id(response.id, "response"),
        "questionnaire": QUESTIONNAIRE_URL + key,
        "status": "completed",
        "subject": {"reference": subject},
        "authored": authored,
        "item": _answer_items(key, response.answers),
    }
    if key == instruments.PSFS:
        value: dict[str, Any] = {"valueQuantity": {**_quantity(response.score, "{score}"), "unit": "score"}}
    else:
        value = {"valueInteger": round(response.score)}
    total: dict[str, Any] = {
        "resourceType": "Observation",
        "id": derived_id(response.id, "score"),
        "status": "final",
        "category": SURVEY,
        "code": _coded(
            SCORE_SYSTEM,
            f"{key.replace('_', '-')}-total",
            f"{instrument.title}: score ({instrument.minimum}–{instrument.maximum})",
        ),
        "subject": {"reference": subject},
        "effectiveDateTime": authored,
        **value,
        "derivedFrom": [{"reference": _urn(answered["id"])}],
    }
    if response.change_text:
        total["note"] = [{"text": response.change_text}]
    return [answered, total]


# --------------------------------------------------------------------------- treatments


def treatment_resource(treatment: Treatment, *, zone: dt.tzinfo, subject: str) -> dict[str, Any]:
    """Medication as a MedicationStatement, the other kinds as a Procedure."""
    start = fhir_datetime(treatment.started_at.astimezone(zone))
    when: dict[str, Any] = {"start": start}
    if treatment.ended_at is not None:
        when["end"] = fhir_datetime(treatment.ended_at.astimezone(zone))
    note = [{"text": notes}] if (notes := fhir_string(treatment.notes)) else []
    if treatment.kind == Treatment.Kind.MEDICATION:
        # A single dose was taken; a course is active until the day it ends.
        active = treatment.ended_at is not None and treatment.ended_at > timezone.now()
        resource: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": derived_id(treatment.id, "treatment"),
            "status": "active" if active else "completed",
            "medicationCodeableConcept": {"text": fhir_string(treatment.name) or "Medication"},
            "subject": {"reference": subject},
        }
        if treatment.ended_at is None:
            resource["effectiveDateTime"] = start
        else:
            resource["effectivePeriod"] = when
        if dose := fhir_string(treatment.dose):
            resource["dosage"] = [{"text": dose}]
    else:
        label = treatment.get_kind_display()
        resource = {
            "resourceType": "Procedure",
            "id": derived_id(treatment.id, "treatment"),
            "status": "in-progress"
            if treatment.ended_at and treatment.ended_at > timezone.now()
            else "completed",
            "code": {
                "coding": [{"system": TREATMENT_SYSTEM, "code": treatment.kind, "display": label}],
                "text": fhir_string(treatment.label) or label,
            },
            "subject": {"reference": subject},
        }
        if treatment.ended_at is None:
            resource["performedDateTime"] = start
        else:
            resource["performedPeriod"] = when
    if note:
        resource["note"] = note
    return resource


def bundle_entries(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """The Patient, then each run (its exercise Observation, then its pain scores), then
    each check-in (its pain score, then its red flags), then the questionnaire responses
    (each questionnaire before its first response), then the treatments, oldest first:
    four queries whatever the length of the log."""
    zone = user_zone(user)
    person = patient(user)
    subject = _urn(person["id"])
    yield _entry(person)
    for run in runs_for_export(user, start=start, end=end).iterator(chunk_size=CHUNK_SIZE):
        pains = _run_pain(run, zone, subject)
        yield _entry(
            exercise_observation(run, zone=zone, subject=subject, members=[_urn(p["id"]) for p in pains])
        )
        yield from (_entry(pain) for pain in pains)
    for checkin in checkins_for_export(user, start=start, end=end).iterator(chunk_size=CHUNK_SIZE):
        yield _entry(checkin_observation(checkin, zone=zone, subject=subject))
        yield from (_entry(flag) for flag in red_flag_observations(checkin, zone=zone, subject=subject))
    described: set[str] = set()
    for response in responses_for_export(user, start=start, end=end).iterator(chunk_size=CHUNK_SIZE):
        if response.questionnaire not in described:
            described.add(response.questionnaire)
            yield _entry(questionnaire_resource(response.questionnaire))
        yield from (_entry(item) for item in response_resources(response, zone=zone, subject=subject))
    for treatment in treatments_for_export(user, start=start, end=end).iterator(chunk_size=CHUNK_SIZE):
        yield _entry(treatment_resource(treatment, zone=zone, subject=subject))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fhir_bundle_chunks(
    user: AbstractBaseUser, *, start: dt.date | None = None, end: dt.date | None = None
) -> Iterator[str]:
    """The Bundle's JSON text, a few kilobytes at a time."""
    return batched(_bundle_texts(user, start=start, end=end))


def _bundle_texts(user: AbstractBaseUser, *, start: dt.date | None, end: dt.date | None) -> Iterator[str]:
    """The Bundle's JSON text, an entry at a time."""
    now = timezone.now().astimezone(user_zone(user))
    opening = _dumps(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": "collection",
            "timestamp": now.isoformat(timespec="seconds"),
        }
    )
    yield opening.removesuffix("}") + ',"entry":['
    for number, entry in enumerate(bundle_entries(user, start=start, end=end)):
        yield ("," if number else "") + _dumps(entry)
    yield "]}"


def fhir_filename(user: AbstractBaseUser) -> str:
    return f"backpainlog-fhir-{local_today(user).isoformat()}.json"


def stream_fhir_bundle(
    user: AbstractBaseUser, *, start: dt.date | None, end: dt.date | None
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        fhir_bundle_chunks(user, start=start, end=end), content_type=f"{FHIR_CONTENT_TYPE}; charset=utf-8"
    )
    return attachment(response, fhir_filename(user))
