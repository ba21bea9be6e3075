from django.urls import path

from campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("audience-preview/", views.audience_preview, name="campaign-audience-preview"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
]
