"""`{{ value|number }}`, `{{ value|number:2 }}`, `{{ budget|money }}`: common.numbers in pages."""

from __future__ import annotations

from django import template
from django.conf import settings

from common.numbers import Number, money_text, number_text

register = template.Library()


@register.filter
def number(value: Number | None, decimals: int | None = None) -> str:
    return number_text(value, None if decimals in (None, "") else int(decimals))


@register.filter
def money(amount: Number | None, decimals: int = 2) -> str:
    return money_text(amount, int(decimals))


@register.simple_tag
def currency() -> str:
    """The site's currency code, for a column heading: "Desired salary (USD)"."""
    return settings.ADFLUX_CURRENCY
