"""The ad platforms' customer-list formats: columns, normalisation, hashing and list sizes.

Pure rules (no database): a candidate's name, email and location in, one CSV row out.
Each platform's published rules are cited in docs/campaigns.md ("Audience files for ad
platforms"). No format has a column for age, sex or postcode: job ads may not be targeted by
them on any of these platforms, so AdFlux never hands them over.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from candidates.csv_format import escape_formula

# LinkedIn's template takes first and last names of at most 35 characters.
LINKEDIN_NAME_LENGTH = 35


class Platform(StrEnum):
    GOOGLE = "google"
    META = "meta"
    LINKEDIN = "linkedin"


@dataclass(frozen=True)
class Person:
    """What a row is made from: the candidate's own fields, as stored."""

    name: str
    email: str
    location: str


@dataclass(frozen=True)
class Format:
    """One platform's customer list: its header, how a person becomes a row, its sizes."""

    label: str
    header: tuple[str, ...]
    row: Callable[[Person], list[str]]
    minimum: int
    # False: below the minimum the platform accepts the file but will not use the audience
    # yet (Meta), so AdFlux warns rather than refuses.
    minimum_refuses: bool
    maximum: int | None = None


class AudienceSizeError(Exception):
    """The audience is too small (or too large) for the platform: nothing is written."""


def normalise(text: str) -> str:
    """NFC and trimmed: ``é`` typed as one code point or as e + accent hashes the same."""
    return unicodedata.normalize("NFC", text).strip()


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 text as lower-case hex; a blank value stays blank, never hashed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


def email_normalised(email: str) -> str:
    """Every platform: trimmed, lower case."""
    return normalise(email).lower()


def name_split(name: str) -> tuple[str, str]:
    """First and last name from AdFlux's one ``name`` field: the first word, and the rest.

    "Ana Maria da Silva" gives ("Ana", "Maria da Silva"): a guess, but the platforms match on
    the email first and use names only alongside it. One word is a first name only.
    """
    words = normalise(name).split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def google_name(part: str) -> str:
    """Google: lower case, every space removed (before, after and in between); accents kept."""
    return "".join(normalise(part).lower().split())


def meta_name(part: str) -> str:
    """Meta: lower case, letters only (no punctuation or spaces); accented letters kept, UTF-8."""
    return "".join(ch for ch in normalise(part).lower() if ch.isalpha())


def plain_cell(text: str, limit: int) -> str:
    """A plain-text cell: trimmed, cut to ``limit``, and never a spreadsheet formula."""
    return escape_formula(normalise(text)[:limit])


# Spellings of countries that ISO 3166 (pycountry) names otherwise, as candidates write them.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "america": "US",
    "the netherlands": "NL",
    "holland": "NL",
    "russia": "RU",
    "turkey": "TR",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "vietnam": "VN",
    "czechia": "CZ",
    "hong kong (s.a.r.)": "HK",
    "taiwan": "TW",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macedonia": "MK",
    "palestine": "PS",
    "ivory coast": "CI",
}


@lru_cache(maxsize=1)
def _countries_by_name() -> dict[str, str]:
    import pycountry  # loads its data on first use; most commands never need it

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names[value.casefold()] = country.alpha_2
    names.update({alias.casefold(): code for alias, code in _COUNTRY_ALIASES.items()})
    return names


@lru_cache(maxsize=4096)
def country_code(location: str) -> str:
    """ISO 3166-1 alpha-2 of the country a free-text location names, or "" if none does.

    "Germany", "Berlin, Germany", "United States of America", "Iran, Islamic Republic of..."
    resolve; "Remote", "Berlin" and bare codes ("DE" may be Delaware) do not: a wrong country
    would do more harm than none.
    """
    text = normalise(location).rstrip(". ").casefold()
    if not text:
        return ""
    names = _countries_by_name()
    # The whole text ("Korea, Republic of"), else its last comma-separated part ("Berlin, DE"
    # is not resolved: codes are not names).
    for candidate in (text, text.rsplit(",", 1)[-1].strip()):
        code = names.get(candidate)
        if code:
            return code
    return ""


def google_row(person: Person) -> list[str]:
    first, last = name_split(person.name)
    return [
        sha256_hex(email_normalised(person.email)),
        sha256_hex(google_name(first)),
        sha256_hex(google_name(last)),
        country_code(person.location),
        "",  # Zip: never; job ads may not be targeted by postcode
    ]


def meta_row(person: Person) -> list[str]:
    first, last = name_split(person.name)
    return [
        sha256_hex(email_normalised(person.email)),
        sha256_hex(meta_name(first)),
        sha256_hex(meta_name(last)),
        sha256_hex(country_code(person.location).lower()),
    ]


def linkedin_row(person: Person) -> list[str]:
    first, last = name_split(person.name)
    return [
        sha256_hex(email_normalised(person.email)),
        plain_cell(first, LINKEDIN_NAME_LENGTH),
        plain_cell(last, LINKEDIN_NAME_LENGTH),
        "",  # jobtitle: AdFlux keeps none
        "",  # employeecompany: AdFlux keeps none
        country_code(person.location),
        "",  # googleaid: AdFlux keeps none
    ]


FORMATS: dict[Platform, Format] = {
    Platform.GOOGLE: Format(
        label="Google Ads Customer Match",
        header=("Email", "First Name", "Last Name", "Country", "Zip"),
        row=google_row,
        minimum=100,
        minimum_refuses=True,
    ),
    Platform.META: Format(
        label="Meta custom audience",
        header=("email", "fn", "ln", "country"),
        row=meta_row,
        minimum=100,
        minimum_refuses=False,
    ),
    Platform.LINKEDIN: Format(
        label="LinkedIn matched audience",
        header=(
            "email",
            "firstname",
            "lastname",
            "jobtitle",
            "employeecompany",
            "country",
            "googleaid",
        ),
        row=linkedin_row,
        minimum=300,
        minimum_refuses=True,
        maximum=300_000,
    ),
}


def size_check(platform: Platform, size: int) -> str | None:
    """A warning for an audience the platform takes but may not use yet, else None.

    AudienceSizeError, with a sentence giving the limit and the size, when the platform
    would refuse the file.
    """
    spec = FORMATS[platform]
    people = f"{size:,} " + ("person" if size == 1 else "people")
    if spec.maximum is not None and size > spec.maximum:
        raise AudienceSizeError(
            f"A {spec.label} list holds at most {spec.maximum:,} people; this campaign's "
            f"audience is {people}. Target fewer segments."
        )
    if size >= spec.minimum:
        return None
    if spec.minimum_refuses:
        raise AudienceSizeError(
            f"A {spec.label} list needs at least {spec.minimum:,} people; this campaign's "
            f"audience is {people}. Target more segments to export it."
        )
    return (
        f"Meta uses a custom audience only once it matches at least {spec.minimum:,} people; "
        f"this campaign's audience is {people}, so Meta may not be able to use this file."
    )
