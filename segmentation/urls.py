from django.urls import path

from segmentation import views

urlpatterns = [
    path("", views.segmentation_overview, name="segments"),
    path("retrain/", views.retrain, name="segments-retrain"),
    path("jobs/<int:pk>/", views.job_status, name="segmentation-job"),
    path("<int:pk>/", views.segment_detail, name="segment"),
]
