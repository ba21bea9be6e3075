"""The ad platforms' customer-list rules on names, emails and countries (no database).

Each expected hash is computed here from the normalised string the platform's rules give
(docs/campaigns.md cites them), never taken from the code under test.
"""

from __future__ import annotations

from hashlib import sha256

import pytest

from campaigns.audience_formats import (
    FORMATS,
    AudienceSizeError,
    Person,
    Platform,
    country_code,
    name_split,
    size_check,
)


def h(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()


ANN = Person(name="  Ann  Lee ", email="  Ann.Lee@Example.ORG ", location="Berlin, Germany")
ZOE = Person(name="Zoë Pérez-García", email="ZOE@example.org", location="United States of America")
# The same name typed with combining accents (e + U+0308, e + U+0301): the same person.
ZOE_DECOMPOSED = Person(
    name="Zoe\u0308 Pe\u0301rez-Garci\u0301a", email="zoe@example.org", location="USA"
)
IRISH = Person(name="Seán O'Brien", email="sean@example.org", location="Remote")
NAMELESS = Person(name="   ", email="x@example.org", location="")
ONE_WORD = Person(name="Madonna", email="m@example.org", location="Iran, Islamic Republic of...")
LONG = Person(name="Ana Maria da Silva", email="ana@example.org", location="Lisbon, Portugal")


def row(platform: Platform, person: Person) -> dict[str, str]:
    spec = FORMATS[platform]
    return dict(zip(spec.header, spec.row(person), strict=True))


def test_the_headers_are_the_platforms_templates():
    assert FORMATS[Platform.GOOGLE].header == ("Email", "First Name", "Last Name", "Country", "Zip")
    assert FORMATS[Platform.META].header == ("email", "fn", "ln", "country")
    assert FORMATS[Platform.LINKEDIN].header == (
        "email",
        "firstname",
        "lastname",
        "jobtitle",
        "employeecompany",
        "country",
        "googleaid",
    )


def test_no_format_carries_age_sex_or_postcode():
    banned = {"age", "dob", "doby", "gen", "gender", "sex", "zip", "postcode", "birth"}
    for platform, spec in FORMATS.items():
        carried = {column.lower() for column in spec.header} & banned
        # Google's template needs a Zip column; it is always left empty.
        assert carried == ({"zip"} if platform is Platform.GOOGLE else set())
    for person in (ANN, ZOE, IRISH, LONG):
        assert row(Platform.GOOGLE, person)["Zip"] == ""


@pytest.mark.parametrize("platform", list(Platform))
def test_emails_are_trimmed_lower_cased_and_hashed_on_every_platform(platform):
    email_column = FORMATS[platform].header[0]
    assert row(platform, ANN)[email_column] == h("ann.lee@example.org")
    assert row(platform, ZOE)[email_column] == h("zoe@example.org")


def test_google_names_lose_every_space_and_keep_accents_and_hyphens():
    assert row(Platform.GOOGLE, ANN) == {
        "Email": h("ann.lee@example.org"),
        "First Name": h("ann"),
        "Last Name": h("lee"),
        "Country": "DE",
        "Zip": "",
    }
    zoe = row(Platform.GOOGLE, ZOE)
    assert (zoe["First Name"], zoe["Last Name"], zoe["Country"]) == (
        h("zoë"),
        h("pérez-garcía"),
        "US",
    )
    assert row(Platform.GOOGLE, ZOE_DECOMPOSED)["Last Name"] == h("pérez-garcía")
    assert row(Platform.GOOGLE, LONG)["Last Name"] == h("mariadasilva")


def test_meta_names_are_letters_only_lower_case_in_utf8_and_the_country_is_hashed():
    assert row(Platform.META, ZOE) == {
        "email": h("zoe@example.org"),
        "fn": h("zoë"),
        "ln": h("pérezgarcía"),
        "country": h("us"),
    }
    assert row(Platform.META, ZOE_DECOMPOSED)["ln"] == h("pérezgarcía")
    irish = row(Platform.META, IRISH)
    assert (irish["fn"], irish["ln"], irish["country"]) == (h("seán"), h("obrien"), "")
    assert row(Platform.META, ANN)["country"] == h("de")


def test_blanks_stay_blank_and_are_never_hashed():
    for platform in Platform:
        cells = FORMATS[platform].row(NAMELESS)
        assert h("") not in cells
    assert row(Platform.GOOGLE, NAMELESS)["First Name"] == ""
    assert row(Platform.META, ONE_WORD)["ln"] == ""
    assert row(Platform.META, ONE_WORD)["fn"] == h("madonna")


def test_linkedin_hashes_the_email_and_keeps_names_and_country_plain():
    assert row(Platform.LINKEDIN, ZOE) == {
        "email": h("zoe@example.org"),
        "firstname": "Zoë",
        "lastname": "Pérez-García",
        "jobtitle": "",
        "employeecompany": "",
        "country": "US",
        "googleaid": "",
    }
    formula = Person(name="=HYPERLINK(1) " + "x" * 60, email="f@example.org", location="")
    linkedin = row(Platform.LINKEDIN, formula)
    assert linkedin["firstname"] == "'=HYPERLINK(1)"
    assert linkedin["lastname"] == "x" * 35  # LinkedIn's longest name


def test_names_split_into_the_first_word_and_the_rest():
    assert name_split("  Ana   Maria da Silva ") == ("Ana", "Maria da Silva")
    assert name_split("Madonna") == ("Madonna", "")
    assert name_split("") == ("", "")


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("Germany", "DE"),
        ("Berlin, Germany", "DE"),
        ("  berlin ,  GERMANY ", "DE"),
        ("United States of America", "US"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("London, UK", "GB"),
        ("Iran, Islamic Republic of...", "IR"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Viet Nam", "VN"),
        ("Turkey", "TR"),
        ("Russian Federation", "RU"),
        ("Remote", ""),
        ("Berlin", ""),
        ("DE", ""),  # a code may be a state (Delaware): not a country name
        ("", ""),
    ],
)
def test_locations_resolve_to_their_country_or_to_nothing(location, code):
    assert country_code(location) == code


def test_sizes_below_a_platforms_minimum_are_refused_with_the_minimum_and_the_size():
    with pytest.raises(AudienceSizeError) as google:
        size_check(Platform.GOOGLE, 99)
    assert str(google.value) == (
        "A Google Ads Customer Match list needs at least 100 people; this campaign's audience "
        "is 99 people. Target more segments to export it."
    )
    assert size_check(Platform.GOOGLE, 100) is None
    with pytest.raises(AudienceSizeError, match="at least 300 people; .* is 299 people"):
        size_check(Platform.LINKEDIN, 299)
    with pytest.raises(AudienceSizeError, match="at most 300,000 people; .* is 300,001 people"):
        size_check(Platform.LINKEDIN, 300_001)
    assert size_check(Platform.LINKEDIN, 300) is None


def test_meta_below_its_minimum_is_a_warning_not_a_refusal():
    assert size_check(Platform.META, 1) == (
        "Meta uses a custom audience only once it matches at least 100 people; this campaign's "
        "audience is 1 person, so Meta may not be able to use this file."
    )
    assert size_check(Platform.META, 100) is None
