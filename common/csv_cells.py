"""CSV cells a spreadsheet would run as a formula, defused and restored.

Shared by every CSV AdFlux writes (candidates' export and errors file, the audit trail, the
fairness report): one rule for what a spreadsheet treats as a formula.
"""

from __future__ import annotations

import re

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), also behind
# blanks it skips and in their full-width forms, which some spreadsheets and input methods
# turn into the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULA_ESCAPE = "'"
# Not whitespace to str.isspace(), yet nothing on screen: zero-width space, non-joiner, joiner,
# word joiner, byte-order mark.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
_ESCAPE_CANDIDATES = frozenset((*FORMULA_TRIGGERS, FORMULA_ESCAPE, *_INVISIBLE))
# A plain number ("-5", "1e3") is read as a number, never run as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def escape_formula(text: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula, by prefixing a quote.

    A number such as "-5" is left alone: a spreadsheet reads it as a number, never a formula. Text
    that already starts with quotes before a trigger gets one more, so ``unescape_formula`` can
    always give back the original.
    """
    return FORMULA_ESCAPE + text if _needs_escape(text) else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula``, so an exported file imports back to the same values."""
    if text.startswith(FORMULA_ESCAPE) and _needs_escape(text[1:]):
        return text[1:]
    return text


def _needs_escape(text: str) -> bool:
    if not text or (text[0] not in _ESCAPE_CANDIDATES and not text[0].isspace()):
        return False  # the common case, decided on the first character
    for character in text:
        if character in _TRIGGER_SET:
            return not _NUMBER.fullmatch(text)
        if character != FORMULA_ESCAPE and character not in _INVISIBLE and not character.isspace():
            return False
    return False
