from django.urls import path

from segmentation.views import exports, fairness
from segmentation.views import segments as views

urlpatterns = [
    path("", views.segmentation_overview, name="segments"),
    path("retrain/", views.retrain, name="segments-retrain"),
    path("jobs/<int:pk>/", views.job_status, name="segmentation-job"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="segmentation-job-cancel"),
    path("runs/<int:pk>/activate/", views.run_activate, name="segmentation-run-activate"),
    path("runs/<int:pk>/card/", fairness.run_model_card, name="segmentation-run-card"),
    path("runs/<int:pk>/fairness/", fairness.run_fairness_page, name="segmentation-run-fairness"),
    path(
        "runs/<int:pk>/fairness.csv",
        fairness.run_fairness_csv,
        name="segmentation-run-fairness-csv",
    ),
    path("<int:pk>/", views.segment_detail, name="segment"),
    path("<int:pk>/candidates.csv", exports.segment_export, name="segment-export"),
]
