"""Pages anyone may open without logging in: a job opening's page with its apply form, and the
unsubscribe page of a job-ad email.

They are safe by other means than a login: the apply form has CSRF, a honeypot and a limit per
address; the links that attribute or unsubscribe are signed, and an altered one does nothing.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns import links
from campaigns.applications import (
    ApplicationRefusedError,
    application_click_record,
    application_create,
)
from campaigns.apply_forms import ApplyForm
from campaigns.models import JobOpening
from campaigns.unsubscribing import candidate_unsubscribe


@login_not_required
@require_http_methods(["GET", "POST"])
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The opening, and a form to apply; a tracked link's visit counts as its click."""
    opening = JobOpening.objects.prefetch_related("required_skills").filter(pk=pk).first()
    if opening is None:
        raise Http404("No job opening with that id.")
    status = 200
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            if form.is_robot:
                # Looks like success to the robot; nothing is recorded.
                return render(request, "campaigns/public/applied.html", {"opening": opening})
            try:
                application_create(
                    job_opening=opening,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    message=form.cleaned_data["message"],
                    cv_url=form.cleaned_data["cv_url"],
                    ref=links.apply_token_read(form.cleaned_data["ref"]),
                )
            except ApplicationRefusedError as exc:
                form.add_error(None, str(exc))
                status = exc.http_status
            else:
                return render(request, "campaigns/public/applied.html", {"opening": opening})
        else:
            status = 400
    else:
        token = request.GET.get(links.REF, "")
        application_click_record(ref=links.apply_token_read(token), job_opening=opening)
        form = ApplyForm(initial={"ref": token})
    return render(
        request, "campaigns/public/job_page.html", {"opening": opening, "form": form}, status=status
    )


@login_not_required
@csrf_exempt  # RFC 8058: the mail provider posts without a form; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a link scanner must not unsubscribe anyone); POST unsubscribes."""
    ids = links.unsubscribe_token_read(token)
    if ids is None:
        return render(request, "campaigns/public/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        candidate_unsubscribe(candidate_id=ids[0])
        return render(request, "campaigns/public/unsubscribe.html", {"done": True})
    return render(request, "campaigns/public/unsubscribe.html", {"token": token})
