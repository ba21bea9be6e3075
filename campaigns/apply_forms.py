"""The public apply form: what a visitor may send, and a field only robots fill in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from campaigns.models import Application

# The honeypot's name: plausible to a form-filling robot, hidden from people by the page.
HONEYPOT = "website"


class ApplyForm(forms.ModelForm):
    # The tracked link's token, carried from the page to the post; checked again on arrival.
    ref = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    cv_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Link to your CV (optional)"
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Application
        fields = ["name", "email", "message", "cv_url"]
        labels = {"message": "A short message (optional)"}
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("message", "").strip() and not data.get("cv_url", "").strip():
            raise ValidationError("Write a short message or give a link to your CV.")
        return data

    @property
    def is_robot(self) -> bool:
        """The hidden field was filled in: a person never sees it."""
        return bool(self.cleaned_data.get(HONEYPOT, "").strip())
