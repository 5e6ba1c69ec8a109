"""``make lighthouse``: Lighthouse scores of three pages of the app under production settings.

Creates a throw-away SQLite database (migrate, collectstatic, the demo account of
``manage.py seed_demo``), serves the app with gunicorn on a free port, signs the demo user
in through the login form and runs Lighthouse (the version pinned in ``package.json``,
mobile emulation, its default) in headless Chromium against:

- the login page ``/accounts/login/`` (signed out);
- the dashboard ``/`` and the log form ``/runs/new/`` (signed in: the session cookie goes
  to Lighthouse as an extra request header).

Prints per page the four category scores, the bytes transferred on a first load by resource
type, whether a render-blocking request goes to another origin, and the failing audits of
every category under 100. The full reports land in ``lighthouse/reports/``.

Figures, not a test: the exit status is 0 whatever the scores (Lighthouse's performance
score depends on how busy the machine is), and non-zero only when a step fails.
Chromium is ``CHROME_PATH`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORTS = HERE / "reports"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
PYTHON = sys.executable

# The account ``manage.py seed_demo`` creates.
USERNAME = "demo"
PASSWORD = "backpain-demo"  # noqa: S105 (the public demo login)

# name, path, signed in
PAGES = [
    ("login", "/accounts/login/", False),
    ("dashboard", "/", True),
    ("log-form", "/runs/new/", True),
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# What the team aims for: the lowest acceptable score per category, and the first load of
# the log form (HTML, CSS and JS, as transferred).
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 90}
LOG_FORM_BUDGET_BYTES = 100 * 1024
CODE_TYPES = ("Document", "Stylesheet", "Script")
ATTEMPTS = 3
# Audits that cannot fail; "hidden" audit groups are not shown in Lighthouse's report either.
UNSCORED = ("notApplicable", "informative", "manual")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    """The app under gunicorn (two workers, as ``make serve``); yields its base URL."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "backpainlog.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                        break
                except OSError:
                    if server.poll() is not None:
                        sys.exit(f"gunicorn stopped:\n{log.read_text()}")
                    time.sleep(0.2)
            else:
                sys.exit(f"gunicorn did not answer on {base}/healthz:\n{log.read_text()}")
            yield base
        finally:
            server.terminate()
            server.wait()


def session_cookie(base: str) -> str:
    """Signs the demo user in through the login form; returns a ``Cookie`` header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    request = urllib.request.Request(
        f"{base}/accounts/login/", form.encode(), headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request) as response:
        response.read()
        if urllib.parse.urlsplit(response.url).path.startswith("/accounts/login"):
            sys.exit("Signing in as the demo user failed.")
    cookies = {cookie.name: cookie.value for cookie in jar}  # csrftoken is rotated on login
    if "sessionid" not in cookies:
        sys.exit("Signing in set no session cookie.")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"


def lighthouse(url: str, name: str, cookie: str | None) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        "--output=html",
        f"--output-path={REPORTS / name}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for attempt in range(1, ATTEMPTS + 1):
        # Lighthouse exits with 1 on a runtime error (now and then NO_NAVSTART, a trace it
        # could not read): a new run usually goes through.
        if subprocess.run(command, cwd=HERE, env=env, check=False).returncode == 0:
            return json.loads((REPORTS / f"{name}.report.json").read_text())
        print(f"Lighthouse failed on {url} (attempt {attempt} of {ATTEMPTS}).", file=sys.stderr)
    sys.exit(f"Lighthouse failed {ATTEMPTS} times on {url}.")


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def summarise(name: str, path: str, report: dict[str, Any]) -> bool:
    """Prints one page's figures; returns whether it meets the score targets."""
    audits = report["audits"]
    print(f"\n== {name}: {path}  (final URL {report['finalDisplayedUrl']})")
    if report.get("runtimeError"):
        print(f"  Lighthouse runtime error: {report['runtimeError']}")
    for warning in report.get("runWarnings", []):
        print(f"  Lighthouse warning: {warning}")

    scores: dict[str, int | None] = {}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        scores[category] = None if score is None else round(score * 100)
    print(
        "  scores: "
        + ", ".join(
            f"{report['categories'][c]['title']} {'n/a' if s is None else s} (target {'≥ ' if TARGETS[c] < 100 else ''}{TARGETS[c]})"
            for c, s in scores.items()
        )
    )
    metrics = [
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
        "speed-index",
    ]
    print(
        "  metrics: "
        + ", ".join(f"{audits[m]['title']} {audits[m].get('displayValue', '?')}" for m in metrics)
    )

    requests = audits["network-requests"]["details"]["items"]
    by_type: dict[str, int] = {}
    for request in requests:
        kind = request.get("resourceType") or "Other"
        by_type[kind] = by_type.get(kind, 0) + (request.get("transferSize") or 0)
    code = sum(by_type.get(kind, 0) for kind in CODE_TYPES)
    print(
        f"  transferred: HTML+CSS+JS {kb(code)} ({code} bytes: "
        + ", ".join(f"{kind} {by_type.get(kind, 0)}" for kind in CODE_TYPES)
        + f"); all {len(requests)} requests {kb(sum(by_type.values()))}"
        + f" (total-byte-weight {kb(audits['total-byte-weight']['numericValue'])}; "
        + ", ".join(f"{kind} {size}" for kind, size in sorted(by_type.items()) if kind not in CODE_TYPES)
        + ")"
    )

    page_origin = origin(report["finalDisplayedUrl"])
    blocking: set[str] = set()
    for audit_id in ("render-blocking-insight", "render-blocking-resources"):
        details = audits.get(audit_id, {}).get("details") or {}
        blocking.update(item["url"] for item in details.get("items", []) if "url" in item)
    foreign_blocking = sorted(url for url in blocking if origin(url) != page_origin)
    foreign = sorted(
        {r["url"] for r in requests if r["url"].startswith("http") and origin(r["url"]) != page_origin}
    )
    print(
        f"  render-blocking requests: {len(blocking)}"
        + (f" ({', '.join(sorted(urllib.parse.urlsplit(u).path for u in blocking))})" if blocking else "")
        + f"; to another origin: {'yes: ' + ', '.join(foreign_blocking) if foreign_blocking else 'no'}"
    )
    print(f"  requests to another origin (any kind): {', '.join(foreign) if foreign else 'none'}")

    if all(s is not None and s >= 100 for s in scores.values()):
        print("  failing audits: none (every category at 100)")
    for category in CATEGORIES:
        score = scores[category]
        if score is not None and score >= 100:
            continue
        entry = report["categories"][category]
        failing = []
        for ref in entry["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("group") == "hidden" or audit["scoreDisplayMode"] in UNSCORED:
                continue
            if audit["scoreDisplayMode"] == "error" or (audit["score"] is not None and audit["score"] < 1):
                failing.append((ref, audit))
        print(f"  failing audits in {entry['title']} ({scores[category]}):")
        for ref, audit in failing:
            score = "error" if audit["scoreDisplayMode"] == "error" else f"score {audit['score']:.2f}"
            shown = f", {audit['displayValue']}" if audit.get("displayValue") else ""
            print(f"    - {audit['id']}: {audit['title']} ({score}, weight {ref['weight']}{shown})")
        if not failing:
            print("    (none listed: the score is below 100 through the metric scores)")
    return all(s is not None and s >= TARGETS[c] for c, s in scores.items())


def main() -> None:
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` in lighthouse/ (make lighthouse does).")
    workdir = Path(tempfile.mkdtemp(prefix="backpainlog-lighthouse-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'lighthouse.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
    }
    try:
        print(f"Database: {env['DATABASE_URL']} (migrate, collectstatic, seed_demo)")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo")
        REPORTS.mkdir(exist_ok=True)
        results = {}
        with gunicorn(env, workdir / "gunicorn.log") as base:
            cookie = session_cookie(base)
            print(f"Serving on {base}; signed in as {USERNAME}. Load average: {os.getloadavg()[0]:.2f}")
            for name, path, signed_in in PAGES:
                results[name] = (path, lighthouse(f"{base}{path}", name, cookie if signed_in else None))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    first = next(iter(results.values()))[1]
    print(
        f"\nLighthouse {first['lighthouseVersion']}, {first['configSettings']['formFactor']} emulation, "
        f"{first['configSettings']['throttlingMethod']} throttling; {first['environment']['hostUserAgent']}; "
        f"CPU benchmark index {first['environment']['benchmarkIndex']:.0f}"
    )
    met = {name: summarise(name, path, report) for name, (path, report) in results.items()}

    log_form = results["log-form"][1]["audits"]["network-requests"]["details"]["items"]
    code = sum(r.get("transferSize") or 0 for r in log_form if r.get("resourceType") in CODE_TYPES)
    print("\n== targets")
    for name, ok in met.items():
        print(f"  {name}: scores {'meet' if ok else 'miss'} the targets")
    print(
        f"  log form first load (HTML+CSS+JS transferred): {kb(code)} of {kb(LOG_FORM_BUDGET_BYTES)}: "
        f"{'within' if code <= LOG_FORM_BUDGET_BYTES else 'over'} budget"
    )
    print(f"  Reports: {REPORTS.relative_to(ROOT)}/<page>.report.html and .report.json")


if __name__ == "__main__":
    main()
