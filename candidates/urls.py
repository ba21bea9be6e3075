from django.urls import path

from candidates import views

urlpatterns = [
    path("", views.candidate_import, name="candidate-import"),
    path("<int:pk>/", views.candidate_import_detail, name="candidate-import-detail"),
    path("<int:pk>/status/", views.candidate_import_status, name="candidate-import-status"),
    path(
        "<int:pk>/rejected.csv", views.candidate_import_rejected, name="candidate-import-rejected"
    ),
]
