"""Numbers and amounts as every page and the admin show them: "130,054", "7.5", "12,500.00 USD".

Thousands separators always, never e-notation, and the site's currency (ADFLUX_CURRENCY) beside
every amount. Templates use them through the `number` and `money` filters (templatetags/numbers).
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings

Number = int | float | Decimal


def number_text(value: Number | None, decimals: int | None = None) -> str:
    """``value`` with thousands separators; ``decimals`` places, or as few as it needs (at most
    two, none from 100 up); "" for None and "—" for a value that is not a finite number."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and decimals is None:
        return f"{value:,}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "—"
    if decimals is not None:
        return f"{value if isinstance(value, Decimal) else number:,.{decimals}f}"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def money_text(amount: Number | None, decimals: int = 2) -> str:
    """An amount in the site's currency: "12,500.00 USD"; "" for None."""
    if amount is None or amount == "":
        return ""
    return f"{number_text(amount, decimals)} {settings.ADFLUX_CURRENCY}"
