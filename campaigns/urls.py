from django.urls import path

from campaigns import opening_views, views, views_email

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("audience-preview/", views.audience_preview, name="campaign-audience-preview"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/send/", views_email.campaign_send, name="campaign-send"),
    path(
        "<int:pk>/send-jobs/<int:job_pk>/",
        views_email.campaign_send_job,
        name="campaign-send-job",
    ),
    path("<int:pk>/results.csv", views_email.campaign_results_download, name="campaign-results"),
    path("openings/", opening_views.job_opening_list, name="job-openings"),
    path("openings/<int:pk>/", opening_views.job_opening_detail, name="job-opening"),
    path(
        "openings/<int:pk>/suggested-segments/",
        opening_views.suggested_segments,
        name="job-opening-suggested-segments",
    ),
]
