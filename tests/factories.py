from __future__ import annotations

import datetime as dt
import os
from typing import Any, Protocol, TypeVar, cast

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from clinical.models import QuestionnaireResponse, Treatment
from clinical.services import response_create, treatment_create
from reminders.keys import b64url
from reminders.models import PushSubscription
from runs.models import PainCheckin, Run
from runs.services import pair_totals_refresh
from shoes.models import Insole, Shoe

PASSWORD = "correct-horse-battery-staple"

M = TypeVar("M", bound=models.Model)


class ModelFactory(Protocol[M]):
    """A factory as the tests use it: each call gives an instance of its model."""

    def __call__(self, **kwargs: Any) -> M: ...
    def build(self, **kwargs: Any) -> M: ...
    def create(self, **kwargs: Any) -> M: ...
    def create_batch(self, size: int, **kwargs: Any) -> list[M]: ...


def typed(model: type[M], factory_class: type[factory.django.DjangoModelFactory[Any]]) -> ModelFactory[M]:
    assert factory_class._meta.model is model, f"{factory_class.__name__} makes {factory_class._meta.model}"
    # cast: calling a factory class runs its metaclass's __call__, which returns a model instance;
    # mypy takes the call for the factory's own constructor and would type the result as the factory.
    return cast("ModelFactory[M]", factory_class)


class _UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"runner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


UserFactory = typed(User, _UserFactory)


class _ShoeFactory(factory.django.DjangoModelFactory[Shoe]):
    class Meta:
        model = Shoe

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Pair {n}")
    brand = "Brooks"
    model = "Ghost 16"
    started_on = dt.date(2025, 1, 1)


ShoeFactory = typed(Shoe, _ShoeFactory)


class _InsoleFactory(_ShoeFactory):
    class Meta:
        model = Insole

    brand = "Superfeet"
    model = "Green"


InsoleFactory = typed(Insole, _InsoleFactory)


class _RunFactory(factory.django.DjangoModelFactory[Run]):
    class Meta:
        model = Run

    user = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    distance_m = 8000.0
    duration_s = 2700
    surface = Run.Surface.ROAD
    pain_before = 2
    pain_after = 3

    @classmethod
    def _create(cls, model_class: type[Run], *args: Any, **kwargs: Any) -> Run:
        run = super()._create(model_class, *args, **kwargs)
        # What every write of runs keeps, as the services would: the run totals of its
        # pairs (shoes.totals). The flags are the analytics refresh's, which the tests
        # that need them call.
        pair_totals_refresh(Shoe.objects.filter(pk=run.shoe_id))
        pair_totals_refresh(Insole.objects.filter(pk=run.insole_id))
        return run


RunFactory = typed(Run, _RunFactory)


class _PainCheckinFactory(factory.django.DjangoModelFactory[PainCheckin]):
    class Meta:
        model = PainCheckin

    user = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    score = 3


PainCheckinFactory = typed(PainCheckin, _PainCheckinFactory)


class _QuestionnaireResponseFactory(factory.django.DjangoModelFactory[QuestionnaireResponse]):
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
    def _create(cls, model_class: type, *args: object, **kwargs: Any) -> QuestionnaireResponse:
        # Through the service: the score and the change from the first come with it.
        response, _ = response_create(**kwargs)
        return response


QuestionnaireResponseFactory = typed(QuestionnaireResponse, _QuestionnaireResponseFactory)


class _TreatmentFactory(factory.django.DjangoModelFactory[Treatment]):
    class Meta:
        model = Treatment

    user = factory.SubFactory(UserFactory)
    kind = Treatment.Kind.PHYSIOTHERAPY
    name = "Physio"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: Any) -> Treatment:
        treatment, _ = treatment_create(**kwargs)
        return treatment


TreatmentFactory = typed(Treatment, _TreatmentFactory)


def _browser_public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class _PushSubscriptionFactory(factory.django.DjangoModelFactory[PushSubscription]):
    """A browser's subscription on Firebase Cloud Messaging's host (no request is sent to it:
    tests that send point ``endpoint`` at their own push service)."""

    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://fcm.googleapis.com/fcm/send/device{n}:APA91b")
    p256dh = factory.LazyFunction(_browser_public_key)
    auth = factory.LazyFunction(lambda: b64url(os.urandom(16)))


PushSubscriptionFactory = typed(PushSubscription, _PushSubscriptionFactory)
