"""Public pages (no login): job pages with their apply form, and email unsubscribe links."""

from django.urls import path

from campaigns import public_views

urlpatterns = [
    path("jobs/<int:pk>/", public_views.job_page, name="job-public"),
    path("unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
]
