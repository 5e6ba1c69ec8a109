from __future__ import annotations

import datetime as dt
import os

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.utils import timezone

from clinical.models import QuestionnaireResponse, Treatment
from clinical.services import response_create, treatment_create
from reminders.keys import b64url
from reminders.models import PushSubscription
from runs.models import PainCheckin, Run
from shoes.models import Insole, Shoe

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"runner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class ShoeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shoe

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Pair {n}")
    brand = "Brooks"
    model = "Ghost 16"
    started_on = dt.date(2025, 1, 1)


class InsoleFactory(ShoeFactory):
    class Meta:
        model = Insole

    brand = "Superfeet"
    model = "Green"


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    user = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    distance_m = 8000.0
    duration_s = 2700
    surface = Run.Surface.ROAD
    pain_before = 2
    pain_after = 3


class PainCheckinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainCheckin

    user = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    score = 3


class QuestionnaireResponseFactory(factory.django.DjangoModelFactory):
    """An RMDQ with the first ``ticked`` items ticked (``answers`` for another questionnaire)."""

    class Meta:
        model = QuestionnaireResponse
        exclude = ("ticked",)

    user = factory.SubFactory(UserFactory)
    questionnaire = "rmdq"
    completed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    ticked = 6
    answers = factory.LazyAttribute(lambda response: [n < response.ticked for n in range(24)])

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> QuestionnaireResponse:
        # Through the service: the score and the change from the first come with it.
        response, _ = response_create(**kwargs)  # type: ignore[arg-type]
        return response


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment

    user = factory.SubFactory(UserFactory)
    kind = Treatment.Kind.PHYSIOTHERAPY
    name = "Physio"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Treatment:
        treatment, _ = treatment_create(**kwargs)  # type: ignore[arg-type]
        return treatment


def _browser_public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    """A browser's subscription on Firebase Cloud Messaging's host (no request is sent to it:
    tests that send point ``endpoint`` at their own push service)."""

    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://fcm.googleapis.com/fcm/send/device{n}:APA91b")
    p256dh = factory.LazyFunction(_browser_public_key)
    auth = factory.LazyFunction(lambda: b64url(os.urandom(16)))
