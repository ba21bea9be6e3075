"""AdFlux URL configuration."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "AdFlux"
admin.site.site_title = "AdFlux"
admin.site.index_title = "Candidates, segments and campaigns"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
