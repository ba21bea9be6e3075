from django.urls import path

from segmentation.views import candidates as views

urlpatterns = [
    path("", views.candidate_list, name="candidates"),
    path("<int:pk>/", views.candidate_detail, name="candidate"),
]
