"""One way to write numbers, amounts and dates on every page and in the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats

from common.numbers import money_text, number_text


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (130054, None, "130,054"),
        (130054.32356223045, None, "130,054"),
        (1.3e5, None, "130,000"),
        (2.5e12, None, "2,500,000,000,000"),
        (7.25, None, "7.25"),
        (7.0, None, "7"),
        (0.042, None, "0.04"),
        (-1234.5, None, "-1,234"),
        (Decimal("12500.5"), 2, "12,500.50"),
        (1234.5678, 1, "1,234.6"),
        (float("nan"), None, "—"),
        (None, None, ""),
    ],
)
def test_numbers_have_separators_and_never_e_notation(value, decimals, shown):
    assert number_text(value, decimals) == shown


def test_an_amount_carries_the_sites_currency(settings):
    assert money_text(Decimal("12500")) == "12,500.00 USD"
    settings.ADFLUX_CURRENCY = "EUR"
    assert money_text(65000, 0) == "65,000 EUR"
    assert money_text(None) == ""


def test_the_filters_in_a_template(settings):
    settings.ADFLUX_CURRENCY = "GBP"
    template = Template(
        "{% load numbers %}{{ n|number }} · {{ f|number:1 }} · {{ b|money }} · {% currency %}"
    )
    shown = template.render(Context({"n": 1500, "f": 2.25, "b": Decimal("99.5")}))
    assert shown == "1,500 · 2.2 · 99.50 GBP · GBP"


def test_pages_and_admin_share_one_date_format():
    moment = datetime.datetime(2026, 11, 29, 19, 40)
    assert formats.date_format(moment, "DATETIME_FORMAT") == "29 Nov 2026, 19:40"
    assert formats.date_format(moment.date(), "DATE_FORMAT") == "29 Nov 2026"
    # The admin's lists use the short formats: the same words.
    assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "29 Nov 2026, 19:40"


def test_a_currency_that_is_not_a_code_stops_the_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import adflux.settings

    monkeypatch.setenv("ADFLUX_CURRENCY", "dollars")
    with pytest.raises(ImproperlyConfigured, match="ADFLUX_CURRENCY must be a three-letter"):
        importlib.reload(adflux.settings)
    monkeypatch.setenv("ADFLUX_CURRENCY", "eur")
    assert importlib.reload(adflux.settings).ADFLUX_CURRENCY == "EUR"
    monkeypatch.delenv("ADFLUX_CURRENCY")
    importlib.reload(adflux.settings)
