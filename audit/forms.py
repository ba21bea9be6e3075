"""The audit page's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from audit.kinds import AuditKind
from audit.selectors import AuditFilters
from audit.via import AuditVia


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *AuditKind.choices])
    who = forms.ChoiceField(required=False, label="Who")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, usernames: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [
            ("", "Anyone"),
            (AuditVia.COMMAND.value, "The command line"),
            (AuditVia.WORKER.value, "The background worker"),
            *((name, name) for name in usernames),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters asked for; call after ``is_valid()``."""
        data = self.cleaned_data
        return AuditFilters(
            kind=data.get("kind") or "",
            who=data.get("who") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
