from django.urls import path

from candidates import views

urlpatterns = [
    path("", views.candidate_list, name="candidates"),
    path("<int:pk>/", views.candidate_detail, name="candidate"),
]
