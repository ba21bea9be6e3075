from django.urls import path

from campaigns import opening_views, views, views_exports, views_lifecycle

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("audience-preview/", views.audience_preview, name="campaign-audience-preview"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/lifecycle/", views_lifecycle.campaign_step_take, name="campaign-step"),
    path(
        "<int:pk>/audience/<slug:platform>.csv",
        views_exports.audience_download,
        name="campaign-audience-file",
    ),
    path("openings/", opening_views.job_opening_list, name="job-openings"),
    path("openings/<int:pk>/", opening_views.job_opening_detail, name="job-opening"),
    path(
        "openings/<int:pk>/suggested-segments/",
        opening_views.suggested_segments,
        name="job-opening-suggested-segments",
    ),
]
