from django.urls import path

from segmentation.views import candidates as views
from segmentation.views import exports

urlpatterns = [
    path("", views.candidate_list, name="candidates"),
    path("candidates.csv", exports.candidate_list_export, name="candidates-export"),
    path("<int:pk>/", views.candidate_detail, name="candidate"),
]
