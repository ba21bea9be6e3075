from django.urls import path

from campaigns import (
    export_views,
    fairness_views,
    opening_views,
    views,
    views_email,
    views_exports,
    views_lifecycle,
)

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
    path("<int:pk>/send/", views_email.campaign_send, name="campaign-send"),
    path(
        "<int:pk>/send-jobs/<int:job_pk>/",
        views_email.campaign_send_job,
        name="campaign-send-job",
    ),
    path("<int:pk>/results.csv", views_email.campaign_results_download, name="campaign-results"),
    path("<int:pk>/fairness/", fairness_views.campaign_fairness_page, name="campaign-fairness"),
    path(
        "<int:pk>/fairness.csv", fairness_views.campaign_fairness_csv, name="campaign-fairness-csv"
    ),
    path(
        "<int:pk>/audience.csv",
        export_views.campaign_audience_export,
        name="campaign-audience-export",
    ),
    path("openings/", opening_views.job_opening_list, name="job-openings"),
    path("openings/new/", opening_views.job_opening_create, name="job-opening-create"),
    path("openings/<int:pk>/", opening_views.job_opening_detail, name="job-opening"),
    path("openings/<int:pk>/edit/", opening_views.job_opening_edit, name="job-opening-edit"),
    path(
        "openings/<int:pk>/suggested-segments/",
        opening_views.suggested_segments,
        name="job-opening-suggested-segments",
    ),
]
