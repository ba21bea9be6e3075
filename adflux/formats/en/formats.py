"""AdFlux's date formats for English, on its pages and in the admin alike ("29 Nov 2026, 19:40").

Django's own English formats ("Nov. 29, 2026, 7:39 p.m.") would otherwise win over the settings.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
