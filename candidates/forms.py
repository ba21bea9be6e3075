"""The import page's form: a CSV file and the encoding it was saved in."""

from __future__ import annotations

from django import forms

ENCODINGS = [
    ("", "UTF-8 (most files; also Excel's “CSV UTF-8”)"),
    ("cp1252", "Windows (cp1252: Excel's “CSV” on Windows)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
]


class CandidateImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="The columns external_id, name, email, location, education_level, "
        "years_experience, desired_salary, primary_skill, skills (separated by ;).",
    )
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False, label="Saved as")
