from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from backpainlog.accounts.services import api_token_create
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Settings) -> None:
    """Production settings hash static file names from a manifest that ``collectstatic``
    writes; tests serve the files as they are instead."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with nothing cached (ids are reused between tests)."""
    cache.clear()


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(username="alice")


@pytest.fixture
def bob(db: None) -> User:
    return UserFactory(username="bob")


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def token_client(user: User) -> APIClient:
    client = APIClient()
    _, token = api_token_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def alice_api(alice: User) -> APIClient:
    return token_client(alice)


@pytest.fixture
def bob_api(bob: User) -> APIClient:
    return token_client(bob)


# --- Page tests: read HTML the way a browser (and Playwright's get_by_label) does. ---

from dataclasses import dataclass, field  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

_SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


@dataclass
class HtmlControl:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    options: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.attrs.get("name", "")


@dataclass
class HtmlForm:
    attrs: dict[str, str]
    controls: list[HtmlControl] = field(default_factory=list)

    def data(self, **overrides: object) -> dict[str, object]:
        """What a browser submits without touching anything (no submit button), then
        ``overrides``; an override of None leaves the control out (an unticked box)."""
        values: dict[str, object] = {}
        for control in self.controls:
            name, attrs = control.name, control.attrs
            if not name or "disabled" in attrs:
                continue
            if control.tag == "input":
                kind = attrs.get("type", "text").lower()
                if kind in _SKIPPED_INPUTS:
                    continue
                if kind in {"checkbox", "radio"}:
                    if "checked" in attrs:
                        values[name] = attrs.get("value", "on")
                    continue
                values[name] = attrs.get("value", "")
            elif control.tag == "select":
                chosen = [value for value, _, selected in control.options if selected]
                values[name] = chosen[0] if chosen else (control.options[0][0] if control.options else "")
            elif control.tag == "textarea":
                # Browsers drop the newline right after <textarea>.
                values[name] = control.text.removeprefix("\r\n").removeprefix("\n")
        for name, value in overrides.items():
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
        return values

    def control(self, name: str) -> HtmlControl:
        matches = [c for c in self.controls if c.name == name and c.tag != "button"]
        assert matches, f"no control named {name!r} in the form"
        return matches[0]

    def options(self, name: str) -> list[str]:
        return [value for value, _, _ in self.control(name).options]

    def buttons(self) -> list[HtmlControl]:
        return [
            c
            for c in self.controls
            if (c.tag == "button" and c.attrs.get("type", "submit") == "submit")
            or (c.tag == "input" and c.attrs.get("type") == "submit")
        ]


class HtmlPage(HTMLParser):
    """Labels, ids, forms and their controls of one HTML page or partial."""

    def __init__(self, html: str | bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[tuple[str, str]] = []  # (for, text)
        self.aria_labels: list[tuple[str, str]] = []  # (element id, aria-label)
        self.elements: dict[str, tuple[str, dict[str, str]]] = {}  # id → (tag, attrs)
        self.forms: list[HtmlForm] = []
        self._label: list[str] | None = None
        self._label_for = ""
        self._text_of: HtmlControl | None = None
        self._option: list[object] | None = None
        self._select: HtmlControl | None = None
        self._form: HtmlForm | None = None
        # A <template>'s content is inert: its controls belong to no form until a script
        # draws them, as in a browser.
        self._templates = 0
        self.feed(html.decode() if isinstance(html, bytes) else html)
        self.close()

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attrs_list}
        if tag == "template":
            self._templates += 1
        if self._templates:
            return
        if "id" in attrs:
            self.elements[attrs["id"]] = (tag, attrs)
        if "aria-label" in attrs:
            self.aria_labels.append((attrs.get("id", ""), attrs["aria-label"]))
        if tag == "form":
            self._form = HtmlForm(attrs)
            self.forms.append(self._form)
        elif tag == "label":
            self._label, self._label_for = [], attrs.get("for", "")
        elif tag in {"input", "select", "textarea", "button"}:
            control = HtmlControl(tag, attrs)
            if self._form is not None:
                self._form.controls.append(control)
            if tag == "select":
                self._select = control
            elif tag in {"textarea", "button"}:
                self._text_of = control
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "", "selected" in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._templates -= 1
        if self._templates:
            return
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label is not None:
            self.labels.append((self._label_for, " ".join("".join(self._label).split())))
            self._label = None
        elif tag in {"textarea", "button"}:
            self._text_of = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, text, selected = self._option
            text = " ".join(str(text).split())
            self._select.options.append((text if value is None else str(value), text, bool(selected)))
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._templates:
            return
        if self._label is not None:
            self._label.append(data)
        if self._text_of is not None:
            self._text_of.text += data
        if self._option is not None:
            self._option[1] = str(self._option[1]) + data

    def form(self, **attrs: str) -> HtmlForm:
        """The one form whose attributes include ``attrs`` (e.g. ``id="run-form"``)."""
        matches = [f for f in self.forms if all(f.attrs.get(k) == v for k, v in attrs.items())]
        assert len(matches) == 1, f"{len(matches)} forms match {attrs}"
        return matches[0]

    def controls_labelled(self, text: str) -> list[str]:
        """Ids of what Playwright's ``get_by_label(text)`` finds: every ``<label>`` and
        ``aria-label`` whose text contains ``text``, case-insensitively."""
        needle = text.lower()
        found = [target for target, label in self.labels if needle in label.lower()]
        found += [target for target, label in self.aria_labels if needle in label.lower()]
        return found

    def assert_labels_one_control(self, text: str) -> dict[str, str]:
        """Exactly one label names ``text`` and it points at a form control; returns its
        attributes."""
        targets = self.controls_labelled(text)
        assert len(targets) == 1, f"{text!r} labels {len(targets)} elements: {targets}"
        assert targets[0] in self.elements, f"label {text!r} points at missing id {targets[0]!r}"
        tag, attrs = self.elements[targets[0]]
        assert tag in {"input", "select", "textarea"}, f"label {text!r} points at a <{tag}>"
        assert attrs.get("type") != "hidden"
        return {"tag": tag, **attrs}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Argon2 (production's hasher, deliberately slow) costs ~0.1 s per user and the tests
    create thousands; tests/accounts/test_signin_security.py proves production uses it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
