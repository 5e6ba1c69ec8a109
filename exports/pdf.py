"""The clinician's report laid out as an A4 PDF with fpdf2 (pure Python, from the package
index alone): period in the header, "Page x of y" in the footer, black and white throughout
(bold, greys, shapes and dashes; never colour alone). It draws a :class:`~exports.report.Report`
and reads nothing itself, so the layout can be tested apart from the data.

The font is DejaVu Sans, shipped in ``exports/fonts/`` with its licence: fpdf2's built-in
fonts are Latin-1 only, and notes and shoe names may hold any character. A character the
font lacks (emoji, CJK) is printed as "�" rather than dropped or failing the report.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.utils import timezone
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from backpainlog.units import format_distance, format_duration, format_pace
from clinical import instruments
from exports.keypoints import episode_dates, episode_summary, key_points
from exports.report import (
    DISCLAIMER,
    SPIKE_KINDS,
    VERDICTS,
    Report,
    pattern_figures,
    run_flag_labels,
)
from runs import analytics, insights
from runs.charts import long_date, trend_charts
from runs.models import BELOW_KNEE_REGIONS, PAIN_REGIONS
from shoes import wear

# fpdf2 subsets the fonts with fontTools, which logs every table it touches at INFO: a
# dozen lines per report in the server's log, saying nothing an operator needs.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# --------------------------------------------------------------------------- the text

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
FONT = "dejavu"
REPLACEMENT = "\ufffd"


@functools.cache
def _font_characters() -> frozenset[int]:
    """Code points both report fonts can draw (read once per process)."""
    covered = None
    for path in FONT_FILES.values():
        font = TTFont(path, lazy=True)
        points = frozenset(font.getBestCmap())
        font.close()
        covered = points if covered is None else covered & points
    return covered or frozenset()


def printable_text(text: str) -> str:
    """``text`` with what the font cannot draw replaced by "�": control and format
    characters (emoji joiners, variation selectors) dropped, other missing glyphs
    replaced, so that an emoji or a CJK note never breaks or silently shortens a line."""
    covered = _font_characters()
    out = []
    for char in text:
        if char in "\n\t":
            out.append(" " if char == "\t" else char)
        elif unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} or 0xFE00 <= ord(char) <= 0xFE0F:
            continue  # invisible: controls, joiners, variation selectors
        elif ord(char) in covered:
            out.append(char)
        elif unicodedata.category(char) == "Mn":
            continue  # a combining mark on a character already replaced
        elif not out or out[-1] != REPLACEMENT:
            out.append(REPLACEMENT)
    return "".join(out)


_MEDIA_RULES = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
_TITLES = re.compile(r"<(title|desc)\b[^>]*>.*?</\1>", re.DOTALL)


def printable_svg(svg: str) -> str:
    """A chart's SVG as fpdf2 draws it: its inline fallback rules made plain class rules
    (fpdf2 matches ``.x`` but not ``.chart .x``), the dark-theme at-rule dropped, the
    font set to the report's, and the tooltips (``<title>``, which fpdf2 skips with a
    warning) taken out. The chart's shapes and dashes stay: it prints in black and white."""
    svg = _MEDIA_RULES.sub("", svg)
    svg = _TITLES.sub("", svg)
    svg = svg.replace(".chart .", ".").replace(
        "font-family:Helvetica,Arial,sans-serif", f"font-family:{FONT}"
    )
    return svg.replace("<svg ", f'<svg font-family="{FONT}" ', 1)


# ----------------------------------------------------------------------------- the PDF

BLACK, DARK, LIGHT, RULE = 0, 60, 235, 160
PAGE_WIDTH = 190  # A4 less 10 mm margins
BODY_SIZE, SMALL_SIZE, TABLE_SIZE = 9.5, 8, 7
NOTES_MAX = 400  # characters of a run's notes printed under it in the table


class ReportPDF(FPDF):
    """A4 portrait with the period in every header and "Page x of y" in every footer."""

    def __init__(self, report: Report) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        for style, path in FONT_FILES.items():
            self.add_font(FONT, style, str(path))
        self.set_margins(10, 18, 10)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(f"backpainlog report, {report.period_label}")
        self.set_author(printable_text(report.owner))
        self.set_creator("backpainlog")
        self.set_lang("en")

    def normalize_text(self, text: str) -> str:
        return super().normalize_text(printable_text(text))

    def header(self) -> None:
        self.set_y(8)
        self.set_font(FONT, "B", SMALL_SIZE)
        self.set_text_color(BLACK)
        self.cell(0, 4, f"backpainlog · {self.report.owner}", new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.set_font(FONT, "", SMALL_SIZE)
        self.cell(0, 4, f"Period {self.report.period_label}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(RULE)
        self.line(10, 13, 200, 13)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", SMALL_SIZE - 1)
        self.set_text_color(DARK)
        self.cell(0, 4, "Informs; does not diagnose.", new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(BLACK)

    # -- building blocks

    def heading(self, text: str, *, level: int = 1) -> None:
        size = 13 if level == 1 else 10.5
        # Keep a heading with at least a few lines of what follows it.
        if self.get_y() + 25 > self.page_break_trigger:
            self.add_page()
        self.ln(3 if level == 1 else 1.5)
        self.set_font(FONT, "B", size)
        self.cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if level == 1:
            self.set_draw_color(BLACK)
            self.set_line_width(0.4)
            self.line(10, self.get_y() + 0.5, 200, self.get_y() + 0.5)
            self.set_line_width(0.2)
            self.ln(2)
        self.set_font(FONT, "", BODY_SIZE)

    def paragraph(
        self, text: str, *, size: float = BODY_SIZE, bold: bool = False, grey: bool = False
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(DARK if grey else BLACK)
        self.lines(text, PAGE_WIDTH, size * 0.45)
        self.set_text_color(BLACK)

    # fpdf2's cell() and multi_cell() lay out every string through its bidi and line-break
    # machinery: a year's run table took seconds. The blocks below measure with the font's
    # widths directly and place text with text(): the same look, several times faster.

    def measure(self, text: str) -> float:
        """The width of ``text`` (already printable) in the current font."""
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def put(self, x: float, y: float, width: float, height: float, text: str, align: str = "L") -> None:
        """One line of ``text`` in the box at ``x``, ``y``, vertically centred."""
        if not text:
            return
        if align == "R":
            x += width - self.c_margin - self.measure(text)
        else:
            x += self.c_margin
        self.text(x, y + (height + self.font_size * 0.7) / 2, text)

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines at most ``width`` wide, at spaces where it can be
        (at any character in a word longer than the line)."""
        room = width - 2 * self.c_margin
        space = self.measure(" ")
        lines: list[str] = []
        for paragraph in printable_text(text).split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split():
                word_width = self.measure(word)
                while word_width > room:  # a URL, or CJK text without spaces
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    cut = max(1, int(len(word) * room / word_width))
                    while cut > 1 and self.measure(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self.measure(word)
                if not word:
                    continue
                if line and line_width + space + word_width > room:
                    lines.append(line)
                    line, line_width = "", 0.0
                if line:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                else:
                    line, line_width = word, word_width
            lines.append(line)
        return lines

    def lines(self, text: str, width: float, height: float, *, rule: bool = False) -> None:
        """Wrapped ``text`` from the current x, each line below the last (a new page when
        the page is full); ``rule`` draws a line under the last."""
        x = self.get_x()
        for line in self.wrap(text, width):
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            self.put(x, self.get_y(), width, height, line)
            self.set_y(self.get_y() + height)
        if rule:
            self.line(x, self.get_y(), x + width, self.get_y())
        self.set_x(self.l_margin)

    def fit(self, text: str, width: float) -> str:
        """``text`` (made printable) cut with "…" to fit a cell ``width`` wide."""
        text = printable_text(text)
        room = width - 2 * self.c_margin
        if self.measure(text) <= room:
            return text
        while text and self.measure(text + "…") > room:
            text = text[: max(0, len(text) - max(1, len(text) // 8))]
        return text + "…"

    def grid(
        self,
        headings: Sequence[str],
        widths: Sequence[float],
        rows: Iterable[Sequence[str]],
        *,
        aligns: str = "",
        strong: Iterable[bool] | None = None,
        notes: Iterable[str] | None = None,
        size: float = TABLE_SIZE,
        wrap_last: bool = False,
    ) -> None:
        """A table of one-line cells (cut to fit), the heading repeated on every page;
        a row in ``strong`` is bold, a row's ``notes`` print in full width below it, and
        with ``wrap_last`` the last column wraps instead of being cut."""
        height = size * 0.5
        aligns = aligns.ljust(len(widths), "L")
        lefts = [self.l_margin + sum(widths[:index]) for index in range(len(widths))]
        right = self.l_margin + sum(widths)

        def draw_heading() -> None:
            self.set_font(FONT, "B", size)
            self.set_fill_color(LIGHT)
            y = self.get_y()
            self.rect(self.l_margin, y, right - self.l_margin, height + 1, style="F")
            for heading, left, width, align in zip(headings, lefts, widths, aligns, strict=True):
                self.put(left, y, width, height + 1, self.fit(heading, width), align)
            self.set_draw_color(BLACK)
            self.line(self.l_margin, y + height + 1, right, y + height + 1)
            self.set_y(y + height + 1)

        draw_heading()
        strong_rows = iter(strong or ())
        notes_rows = iter(notes or ())
        for row in rows:
            is_strong = next(strong_rows, False)
            note = next(notes_rows, "")
            self.set_font(FONT, "B" if is_strong else "", size)
            last = self.wrap(row[-1], widths[-1]) if wrap_last else [self.fit(row[-1], widths[-1])]
            if self.get_y() + height * (len(last) + (1 if note else 0)) > self.page_break_trigger:
                self.add_page()
                draw_heading()
                self.set_font(FONT, "B" if is_strong else "", size)
            y = self.get_y()
            for text, left, width, align in zip(row[:-1], lefts, widths, aligns, strict=False):
                self.put(left, y, width, height, self.fit(text, width), align)
            for index, line in enumerate(last):
                self.put(lefts[-1], y + index * height, widths[-1], height, line, aligns[-1])
            self.set_y(y + height * len(last))
            self.set_draw_color(RULE)
            if note:
                self.set_font(FONT, "", size - 0.5)
                self.set_text_color(DARK)
                self.set_x(self.l_margin + 4)
                self.lines(note, right - self.l_margin - 4, height * 0.95)
                self.set_text_color(BLACK)
            self.line(self.l_margin, self.get_y(), right, self.get_y())
        self.set_font(FONT, "", BODY_SIZE)
        self.ln(1)

    def chart(self, svg: str, *, width: float = 130) -> None:
        if self.get_y() + width * 0.65 > self.page_break_trigger:
            self.add_page()
        self.image(io.BytesIO(printable_svg(svg).encode()), x=self.l_margin, w=width)
        self.ln(1)


def render_pdf(report: Report) -> bytes:
    """The report as an A4 PDF."""
    pdf = ReportPDF(report)
    pdf.add_page()
    for section in (
        _summary,
        _weekly,
        _questionnaires,
        _regions,
        _treatments,
        _flare_ups,
        _spikes,
        _shoes,
        _patterns,
        _run_table,
        _radiating_checkins,
        _definitions,
    ):
        section(pdf, report)
    return bytes(pdf.output())


def _figure(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"


def _summary(pdf: ReportPDF, report: Report) -> None:
    totals, unit = report.totals, report.unit
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 8, "Running and back-pain report", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(
        f"{report.owner[:1].upper()}{report.owner[1:]} · {report.period_label} · distances in {unit} · generated "
        f"{long_date(report.generated_at.date())}, {report.generated_at:%H:%M} "
        f"({report.generated_at.tzname()})",
        grey=True,
    )
    pdf.ln(1)
    _key_points(pdf, report)
    pdf.paragraph(DISCLAIMER, size=SMALL_SIZE, grey=True)
    pdf.heading("Summary")
    figures = [
        ("Runs", f"{totals.runs} ({format_distance(totals.run_distance_m, unit, 1)})"),
        ("Walks", f"{totals.walks} ({format_distance(totals.walk_distance_m, unit, 1)})"),
        ("Time", format_duration(totals.duration_s) if totals.duration_s else "–"),
        ("Pain before (average)", f"{_figure(totals.pain_before_avg)} / 10"),
        ("Pain after (average)", f"{_figure(totals.pain_after_avg)} / 10"),
        ("Flare-ups", f"{totals.flare_ups} (after runs and in check-ins)"),
        ("Spikes", str(len(report.spikes))),
        ("Pain check-ins", str(totals.checkins)),
    ]
    for label, value in figures:
        pdf.set_font(FONT, "", BODY_SIZE)
        pdf.cell(55, 5, label)
        pdf.set_font(FONT, "B", BODY_SIZE)
        pdf.cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _key_points(pdf: ReportPDF, report: Report) -> None:
    """docs/product.md#key-points: the first thing on page 1, each point a bold title and its lines."""
    pdf.heading("Key points")
    for point in key_points(report):
        top = pdf.get_y()
        pdf.set_font(FONT, "B", BODY_SIZE)
        pdf.cell(0, 5, printable_text(point.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for line in point.lines:
            pdf.set_font(FONT, "B" if point.strong else "", SMALL_SIZE + 0.5)
            pdf.set_x(pdf.l_margin + 4)
            pdf.lines(line, pdf.epw - 4, 4.2)
        if point.urgent:
            # Framed, so that it reads first without colour; nothing else is framed.
            pdf.set_draw_color(BLACK)
            pdf.set_line_width(0.6)
            pdf.rect(pdf.l_margin - 1.5, top - 0.5, pdf.epw + 3, pdf.get_y() - top + 1.5)
            pdf.set_line_width(0.2)
            pdf.ln(1.5)
        pdf.ln(0.8)
    pdf.set_font(FONT, "", BODY_SIZE)
    pdf.ln(1)


def _weekly(pdf: ReportPDF, report: Report) -> None:
    svgs = trend_charts(report.trends, report.unit, treatments=report.treatment_marks)
    pdf.heading("Weekly distance and pain")
    pdf.paragraph(
        "Bars: distance run each week (walks not counted). Dashed line with dots: the highest "
        "pain score of the week (0–10, right axis). Triangle: a week with a flare-up. Diamond under "
        "a week: a treatment began that week (listed under Treatments).",
        size=SMALL_SIZE,
        grey=True,
    )
    pdf.chart(svgs["weekly"])
    unit = report.unit
    pdf.grid(
        ["Week of", "Distance", "Runs", "Change", "Pain before", "Pain after", "Highest", "Flare-ups"],
        [26, 26, 14, 20, 24, 24, 20, 20],
        (
            [
                long_date(week.week_start),
                format_distance(week.distance_m, unit, 1),
                str(week.run_count),
                "–" if week.change_pct is None else f"{week.change_pct:+.0f} %",
                _figure(week.pain_before_avg),
                _figure(week.pain_after_avg),
                "–" if week.pain_max is None else str(week.pain_max),
                str(week.flare_count or ""),
            ]
            for week in report.trends.weeks
        ),
        aligns="LRRRRRRR",
        strong=(week.flare_count > 0 for week in report.trends.weeks),
    )
    pdf.heading("Acute:chronic load ratio (ACWR)", level=2)
    pdf.paragraph(
        "On each day with a session; dashed rule at 1.5 (flagged, for information). It "
        "describes load; it does not predict injury, and no range of it is known to be safe.",
        size=SMALL_SIZE,
        grey=True,
    )
    pdf.chart(svgs["acwr"], width=120)


def _questionnaires(pdf: ReportPDF, report: Report) -> None:
    """docs/product.md#pdf-report: a section per questionnaire answered in the period, its scores over time
    and each one's change from the period's first."""
    for scores in report.questionnaires:
        instrument = scores.instrument
        pdf.heading(scores.heading)
        pdf.paragraph(scores.change_text, bold=True)
        if since := scores.since_first_text:
            pdf.paragraph(f"Since the runner's first response, before the period: {since}.")
        better = "higher" if instrument.higher_is_better else "lower"
        pdf.paragraph(
            f"Score {instrument.minimum}–{instrument.maximum}, {better} is better. "
            f"{_scoring(scores.key)} A change patients notice: {instrument.meaningful_source}",
            size=SMALL_SIZE,
            grey=True,
        )
        rows, strong = [], []
        for score in reversed(scores.scores):  # newest first, as every table here
            change = scores.change(score)
            if score is scores.first:
                verdict = "first in the period"
            elif change.difference == 0:
                verdict = "no change"
            else:
                better_now = (change.difference > 0) == instrument.higher_is_better
                verdict = ("better" if better_now else "worse") + (
                    ", a change patients notice" if change.meaningful else ""
                )
            rows.append(
                [
                    long_date(score.date),
                    scores.score_text(score),
                    "" if score is scores.first else _signed(float(change.difference)),
                    verdict,
                    _answers_text(scores.key, score.answers),
                ]
            )
            strong.append(change.meaningful)
        pdf.grid(
            ["Date", "Score", "Change", "Against the first", "Answers"],
            [24, 18, 16, 52, 80],
            rows,
            aligns="LRRLL",
            strong=strong,
            size=SMALL_SIZE - 0.5,
            wrap_last=True,
        )


def _signed(value: float) -> str:
    """ "+2", "−0.7", "0": whole numbers whole, no sign on no change."""
    if value == 0:
        return "0"
    return f"{value:+.1f}".removesuffix(".0").replace("-", "−")


def _scoring(key: str) -> str:
    return {
        instruments.RMDQ: "The number of the 24 statements the runner ticked as describing them that day.",
        instruments.PSFS: "The mean of the runner's own activities, each rated 0 (unable) to 10 (as before).",
        instruments.PAIN_7D: "The runner's average back pain over the 7 days before (0–10).",
    }[key]


def _answers_text(key: str, answers: object) -> str:
    if key == instruments.PSFS and isinstance(answers, list):
        return "; ".join(f"{answer['activity']} {answer['score']}" for answer in answers)
    if key == instruments.RMDQ and isinstance(answers, list):
        ticked = [str(number) for number, answer in enumerate(answers, start=1) if answer]
        return f"statements ticked: {', '.join(ticked)}" if ticked else "none ticked"
    return ""


def _regions(pdf: ReportPDF, report: Report) -> None:
    """docs/product.md#where-it-hurts: how often each body-map region was marked, below the knee apart."""
    pdf.heading("Where it hurt")
    if not report.regions_marked:
        pdf.paragraph("No region of the body map was marked in the period.", grey=True)
        return
    pdf.paragraph(
        "How often the runner marked each region of the body map (seen from behind) on a "
        "check-in or a run in the period. Pain in a thigh or below the knee counts as pain "
        "radiating down the leg.",
        size=SMALL_SIZE,
        grey=True,
    )

    def table(counts: Sequence[analytics.RegionCount]) -> None:
        pdf.grid(
            ["Region", "Check-ins", "Runs and walks", "Total"],
            [70, 30, 30, 30],
            ([PAIN_REGIONS[c.region], str(c.checkins), str(c.runs), str(c.total)] for c in counts),
            aligns="LRRR",
            strong=(c.total > 0 and c.region in BELOW_KNEE_REGIONS for c in counts),
        )

    table([count for count in report.regions if count.region not in BELOW_KNEE_REGIONS])
    pdf.heading("Below the knee", level=2)
    pdf.paragraph(
        "Shown apart: clinicians read pain below the knee as a possible sign of nerve-root pain.",
        size=SMALL_SIZE,
        grey=True,
    )
    table([count for count in report.regions if count.region in BELOW_KNEE_REGIONS])
    if report.below_knee_days:
        days = report.below_knee_days
        pdf.paragraph(
            f"On {len(days)} day{'s' if len(days) != 1 else ''}: "
            + ", ".join(long_date(day) for day in reversed(days)),
            size=SMALL_SIZE,
        )


def _treatments(pdf: ReportPDF, report: Report) -> None:
    """docs/product.md#treatments: the treatments under way in the period (the app does not judge them)."""
    pdf.heading(f"Treatments ({len(report.treatments)})")
    if not report.treatments:
        pdf.paragraph("No treatment recorded in the period.", grey=True)
        return
    items = list(reversed(report.treatments))  # newest first
    pdf.grid(
        ["Dates", "Treatment", "Notes"],
        [44, 88, 58],
        ([item.dates, item.label, item.notes] for item in items),
        size=SMALL_SIZE,
        wrap_last=True,
    )
    pdf.paragraph(
        "As the runner recorded them. Treatments are not used as pattern features: the app does "
        "not judge whether a treatment helped.",
        size=SMALL_SIZE,
        grey=True,
    )


def _flags(pdf: ReportPDF, flags: Sequence[insights.Flag], empty: str) -> None:
    """One row per flag: its date, what it is, and the figures that triggered it."""
    if not flags:
        pdf.paragraph(empty, grey=True)
        return
    pdf.grid(
        ["Date", "What", "Evidence"],
        [22, 48, 120],
        ([long_date(flag.date), flag.title, flag.detail] for flag in flags),
        strong=(flag.kind in SPIKE_KINDS and flag.severity == "alert" for flag in flags),
        size=SMALL_SIZE - 0.5,
        wrap_last=True,
    )


def _flare_ups(pdf: ReportPDF, report: Report) -> None:
    """One row per episode (docs/analytics.md#flare-up-episodes), newest first, with what came in the 7 days
    before it."""
    episodes = list(reversed(report.episodes))
    pdf.heading(f"Flare-up episodes ({len(episodes)}; {report.totals.flare_ups} flare-ups)")
    if not episodes:
        pdf.paragraph("No flare-ups in this period.", grey=True)
        return
    pdf.grid(
        ["Dates", "Flare days · peak", "In the 7 days before"],
        [52, 40, 98],
        ([episode_dates(e), episode_summary(e), _before_episode(report, e)] for e in episodes),
        size=SMALL_SIZE,
        wrap_last=True,
    )
    pdf.paragraph(
        "An episode is a run of flare days (a run's flare-up, or a check-in at least 2 points above "
        "the runner's usual score) each at most 3 days after the one before. Peak: the highest pain "
        "after a run, next morning or in a check-in during it (0–10).",
        size=SMALL_SIZE,
        grey=True,
    )


def _before_episode(report: Report, episode: analytics.Episode) -> str:
    """The long-run spikes and runs in worn shoes dated in the 7 days before the episode."""
    first = episode.start - dt.timedelta(days=7)
    zone = report.generated_at.tzinfo
    found = []
    for run in reversed(report.runs):  # oldest first
        day = timezone.localtime(run.started_at, zone).date()
        if not first <= day < episode.start:
            continue
        if "long_run_spike" in run.flags:
            found.append(
                f"long-run spike ({run.spike_band}) {format_distance(run.distance_m, report.unit, 1)} on {long_date(day)}"
            )
        if "shoe_worn" in run.flags:
            found.append(f"run in worn shoes on {long_date(day)}")
    return "; ".join(found) or "no long-run spike, no run in worn shoes"


def _radiating_checkins(pdf: ReportPDF, report: Report) -> None:
    pdf.heading(f"Days with pain radiating down the leg ({len(report.radiating_days)})")
    if not report.radiating_days:
        pdf.paragraph("None reported in the check-ins of this period.", grey=True)
        return
    pdf.paragraph(", ".join(long_date(day) for day in reversed(report.radiating_days)), size=SMALL_SIZE)


def _spikes(pdf: ReportPDF, report: Report) -> None:
    pdf.heading(f"Load spikes ({len(report.spikes)})")
    _flags(pdf, report.spikes, "No long-run spikes, weekly increases over 30 % or ACWR of 1.5 or more.")


SHOE_STATUS = {wear.REPLACE: "WORN (past)", wear.NEARING: "Nearing", wear.OK: "OK", wear.RETIRED: "Retired"}


def _shoes(pdf: ReportPDF, report: Report) -> None:
    pdf.heading("Shoes")
    if not report.shoes:
        pdf.paragraph("No shoes recorded on the runs of this period.", grey=True)
        return
    unit = report.unit
    pdf.grid(
        ["Shoes", "First use", "Last use", "Sessions", "Distance", "Odometer at end", "Status"],
        [44, 24, 24, 16, 24, 34, 24],
        (
            [
                shoe.name,
                long_date(shoe.first_use),
                long_date(shoe.last_use),
                str(shoe.sessions),
                format_distance(shoe.distance_m, unit, 1),
                f"{format_distance(shoe.odometer_m, unit, 0)} ({shoe.wear_pct:.0f} %)",
                SHOE_STATUS[shoe.status],
            ]
            for shoe in report.shoes
        ),
        aligns="LLLRRRL",
        strong=(shoe.status == wear.REPLACE for shoe in report.shoes),
    )
    for shoe in report.shoes:
        if shoe.crossings:
            crossed = ", ".join(f"{label} on {long_date(day)}" for label, day in shoe.crossings)
            pdf.paragraph(f"{shoe.name}: passed {crossed} of its replacement distance.", size=SMALL_SIZE)
    pdf.paragraph(
        "Distance: in the period. Odometer: distance on the pair at the end of the period, as a "
        "share of its replacement distance (80 %: nearing; 100 %: past it).",
        size=SMALL_SIZE,
        grey=True,
    )


def _patterns(pdf: ReportPDF, report: Report) -> None:
    pdf.heading("Patterns: flare-ups after runs, with and without each feature")
    pdf.paragraph(
        "Over the period's runs with pain recorded before and after. Counts: flare-ups / runs "
        'with the feature vs. without it ("within two days": a flare-up that day or on the two '
        "days after); risk ratio (RR) with its 95 % confidence interval; Fisher's exact p and p "
        "adjusted for the number of patterns tested (Benjamini–Hochberg); periods: separate "
        "stretches of time the feature's runs fall in. LIKELY needs the interval clear of 1, "
        "adjusted p below 0.05 and at least 3 periods: a feature that fills one stretch of time "
        "cannot be told apart from whatever else happened then. Features that select the same "
        "runs are listed once. A pattern in this log, not proof of cause.",
        size=SMALL_SIZE,
        grey=True,
    )
    if not report.associations:
        pdf.paragraph("No runs with pain before and after in this period.", grey=True)
        return
    rows = insights.shown_once(report.associations)
    pdf.grid(
        ["Feature", "Verdict", "Flare-ups: with vs. without · RR (95 % CI) · p, adjusted · periods"],
        [58, 28, 104],
        ([row.label, VERDICTS[row.item.verdict], pattern_figures(row.item)] for row in rows),
        strong=(row.item.verdict in ("likely", "likely_fewer") for row in rows),
        size=SMALL_SIZE,
        wrap_last=True,
    )


def _run_table(pdf: ReportPDF, report: Report) -> None:
    unit = report.unit
    pdf.heading(f"Every run and walk ({len(report.runs)}, newest first)")
    if not report.runs:
        pdf.paragraph("Nothing logged in this period.", grey=True)
        return
    zone = report.generated_at.tzinfo
    rows = []
    for run in report.runs:
        started = timezone.localtime(run.started_at, zone)
        rows.append(
            [
                f"{started:%d.%m.%y %H:%M}",
                run.get_activity_display(),
                format_distance(run.distance_m, unit),
                format_duration(run.duration_s),
                format_pace(run.pace_s_per_km, unit).removesuffix(f" /{unit}"),
                run.get_surface_display(),
                run.shoe.name if run.shoe else "",
                "" if run.pain_before is None else str(run.pain_before),
                "" if run.pain_after is None else str(run.pain_after),
                "" if run.pain_next_morning is None else str(run.pain_next_morning),
                "" if run.acwr is None else f"{run.acwr:.2f}",
                ", ".join(run_flag_labels(run)),
            ]
        )
    pdf.grid(
        [
            "Date",
            "Type",
            "Distance",
            "Time",
            "Pace",
            "Surface",
            "Shoes",
            "P-b",
            "P-a",
            "P-nm",
            "ACWR",
            "Flags",
        ],
        [23, 9, 16, 13, 13, 16, 24, 8, 8, 10, 11, 39],
        rows,
        aligns="LLRRRLLRRRRL",
        strong=("pain_flare" in run.flags for run in report.runs),
        notes=(_note(run.notes) for run in report.runs),
        wrap_last=True,  # every flag shows, however many
    )
    pdf.paragraph(
        f"Pace per {unit}. P-b / P-a / P-nm: pain before, after, next morning (0–10). ACWR: "
        "acute:chronic load ratio on the run's date (information only). Bold rows: a flare-up. Flags: "
        "Spike = long-run spike (band); Week +30 % = weekly distance up more than 30 %; ACWR ≥ 1.5; "
        "Shoes 80 % / Shoes worn = the pair at 80 % / past its replacement distance; FLARE = pain "
        "flare-up. Definitions below.",
        size=SMALL_SIZE,
        grey=True,
    )


def _note(notes: str) -> str:
    text = " ".join(notes.split())
    if not text:
        return ""
    if len(text) > NOTES_MAX:
        text = text[:NOTES_MAX].rstrip() + "…"
    return f"Notes: {text}"


def _definitions(pdf: ReportPDF, report: Report) -> None:
    pdf.heading("Definitions and sources")
    pdf.paragraph(
        "A run's date is its local date in the runner's time zone; walks are shown but do not "
        "count as running load.",
        size=SMALL_SIZE,
    )
    for definition in report.definitions:
        if pdf.get_y() + 14 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(1)
        pdf.paragraph(definition.title, size=SMALL_SIZE + 0.5, bold=True)
        pdf.paragraph(definition.definition, size=SMALL_SIZE)
        pdf.paragraph(f"Source: {definition.source}", size=SMALL_SIZE, grey=True)
    pdf.ln(2)
    pdf.paragraph(DISCLAIMER, size=SMALL_SIZE, bold=True)


def report_filename(report: Report) -> str:
    return f"backpainlog-report-{report.start.isoformat()}-to-{report.end.isoformat()}.pdf"
