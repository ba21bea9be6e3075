"""Formula escaping against cells that hide their trigger: behind blanks, or written full-width."""

from __future__ import annotations

import csv
import io

import pytest

from candidates.csv_format import escape_formula, unescape_formula
from candidates.services.csv_export import candidates_export_csv
from tests.factories import CandidateFactory


@pytest.mark.parametrize(
    "text",
    [
        " =1+2",
        "  @SUM(A1)",
        '\u00a0=HYPERLINK("http://evil")',  # non-breaking space
        "\u200b=cmd|' /C calc'!A0",  # zero-width space
        "\ufeff+1",  # byte-order mark
        "\u3000-2+3",  # ideographic space
        " \u00a0\u200b =x",
        "\uff1dSUM(A1:A9)",  # full-width equals sign
        "\uff0b1",  # full-width plus
        "\uff0dGo",  # full-width minus
        "\uff20cmd",  # full-width commercial at
        " \uff1dx",
        "' =x",  # a quote and a blank before the trigger: one more quote, to round-trip
        "\n=x",
    ],
)
def test_a_trigger_behind_blanks_or_written_full_width_is_escaped(text: str) -> None:
    escaped = escape_formula(text)

    assert escaped == "'" + text
    assert unescape_formula(escaped) == text


@pytest.mark.parametrize("text", [" Ada", "\u00a0Zürich", "\u200bx", "   ", "\uff21da", "-5"])
def test_blanks_before_ordinary_text_are_left_alone(text: str) -> None:
    assert escape_formula(text) == text
    assert unescape_formula(text) == text


@pytest.mark.django_db
def test_the_export_escapes_hidden_formulas() -> None:
    CandidateFactory(
        external_id="\u00a0=x",
        name=' =HYPERLINK("http://evil")',
        location="\uff1dcmd",
        primary_skill="\u200b@SUM(A1)",
    )
    out = io.StringIO(newline="")

    candidates_export_csv(out=out)

    out.seek(0)
    row = next(csv.DictReader(out))
    assert (row["external_id"], row["name"], row["location"], row["primary_skill"]) == (
        "'\u00a0=x",
        '\' =HYPERLINK("http://evil")',
        "'\uff1dcmd",
        "'\u200b@SUM(A1)",
    )
