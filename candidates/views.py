"""The candidate pages: being written (list with filters, detail)."""

from django.http import HttpRequest, HttpResponse


def candidate_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Candidates: coming next.")


def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("Candidate: coming next.")
