"""The documents in ``docs/`` stay true to the code that points at them.

Code, templates, tests and the README name the definitions they follow as
``docs/<file>.md#<anchor>`` (or ``docs/<file>.md § <Heading>``). Every such reference must
name a file that exists and a heading in it; the documents' own links must resolve too;
nothing may point to a specification kept outside the repository; and every URL pattern
under ``/api/v1/`` must be in ``docs/api.md``, so that the contract is never behind the
URL configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
THIS_FILE = Path(__file__).resolve()

SCANNED_SUFFIXES = {
    ".py",
    ".html",
    ".js",
    ".css",
    ".md",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".json",
    ".webmanifest",
    ".yml",
    ".yaml",
    ".sh",
}
SCANNED_NAMES = {"Makefile"}
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "staticfiles",
    "media",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
}

DOC_PATH = r"docs/((?:[\w-]+/)*[\w.-]+\.md)"
ANCHORED = re.compile(DOC_PATH + r"#([\w-]+)")
BY_HEADING = re.compile(DOC_PATH + r" § ([^\n]+)")
MENTIONED = re.compile(DOC_PATH)
# Links inside the documents: [text](other.md#anchor), [text](#anchor).
DOC_LINK = re.compile(r"\]\((?!https?:)([\w./-]*?\.md)?(?:#([\w-]+))?\)")
# The specification and contract that used to live outside the repository.
EXTERNAL = re.compile(r"\bSPEC\b|\bSPEC\.md\b|\bAPI\.md\b")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
API_PATH = re.compile(r"/api/v1/[\w{}/<>:.-]*")


def scanned_files() -> Iterator[Path]:
    """The project's text files: code, templates, styles, tests, documents, settings."""
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS for part in relative.parts[:-1]):
            continue
        if path.is_file() and (path.suffix in SCANNED_SUFFIXES or path.name in SCANNED_NAMES):
            yield path


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: code spans and links keep their text, then
    lower case, punctuation dropped (letters, digits, ``_`` and ``-`` stay), spaces to ``-``."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def headings(document: Path) -> list[str]:
    """The document's headings, outside fenced code, in order."""
    found, fenced = [], False
    for line in document.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            found.append(match.group(2))
    return found


def anchors(document: Path) -> set[str]:
    """Every anchor of the document, repeated headings numbered as GitHub does (-1, -2 …)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(document):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def references() -> Iterator[tuple[str, int, str, str | None, str | None]]:
    """``(where, line, document, anchor, heading)`` for every reference to ``docs/``."""
    for path in scanned_files():
        where = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for match in MENTIONED.finditer(line):
                anchored = ANCHORED.match(line, match.start())
                by_heading = BY_HEADING.match(line, match.start())
                yield (
                    where,
                    number,
                    match.group(1),
                    anchored.group(2) if anchored else None,
                    by_heading.group(2) if by_heading else None,
                )


def test_docs_exist() -> None:
    for name in ("analytics.md", "api.md", "product.md"):
        assert (DOCS / name).is_file(), f"docs/{name} is missing"


def test_references_are_found() -> None:
    """The scan sees the code base: the analytics and the API point at their documents."""
    where = {reference[0] for reference in references()}
    assert "runs/analytics/load.py" in where
    assert "backpainlog/pagination.py" in where


def test_every_docs_reference_names_an_existing_file_and_heading() -> None:
    broken = []
    for where, number, document, anchor, heading in references():
        target = DOCS / document
        if not target.is_file():
            broken.append(f"{where}:{number}: docs/{document} does not exist")
            continue
        if anchor is not None and anchor not in anchors(target):
            broken.append(f"{where}:{number}: docs/{document} has no heading with the anchor #{anchor}")
        if heading is not None:
            names = [name.casefold() for name in headings(target)]
            if not any(heading.casefold().startswith(name) for name in names):
                broken.append(f"{where}:{number}: docs/{document} has no heading “{heading}”")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("document", sorted(DOCS.glob("**/*.md")), ids=lambda path: path.name)
def test_links_inside_the_documents_resolve(document: Path) -> None:
    broken = []
    text = document.read_text(encoding="utf-8")
    for match in DOC_LINK.finditer(text):
        linked, anchor = match.groups()
        if linked is None and anchor is None:
            continue
        target = (document.parent / linked).resolve() if linked else document
        if not target.is_file():
            broken.append(f"{match.group(0)}: {linked} does not exist")
        elif anchor is not None and anchor not in anchors(target):
            broken.append(f"{match.group(0)}: no heading with the anchor #{anchor}")
    assert not broken, "\n".join(broken)


def test_no_reference_to_documents_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in scanned_files()
        if path != THIS_FILE
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if EXTERNAL.search(line)
    ]
    assert not found, "Point these inside docs/ instead:\n" + "\n".join(found)


def api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    """Every route of the URL configuration, parameters written ``{}``."""
    for entry in patterns:
        route = prefix + str(entry.pattern).removeprefix("^").removesuffix("$")
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, route)
        elif "<format>" not in route:  # a format suffix (``runs.json``) repeats its route
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)
            yield "/" + re.sub(r"<(?:\w+:)?\w+>", "{}", route)


def documented_api_paths() -> set[str]:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    return {re.sub(r"\{[^}]*\}", "{}", path) for path in API_PATH.findall(text)}


def test_every_api_route_is_in_the_contract() -> None:
    routes = {route for route in api_routes(get_resolver().url_patterns) if route.startswith("/api/v1/")}
    assert "/api/v1/runs/{}/" in routes  # the walk finds the router's routes
    missing = sorted(routes - documented_api_paths())
    assert not missing, "Routes under /api/v1/ that docs/api.md does not list:\n" + "\n".join(missing)


def test_slug_follows_github() -> None:
    assert slug("ACWR") == "acwr"
    assert slug("Long-run spike") == "long-run-spike"
    assert slug("Questionnaires, treatments, red flags") == "questionnaires-treatments-red-flags"
    assert slug("The `same_as` twins") == "the-same_as-twins"
