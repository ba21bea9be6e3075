"""AdFlux URL configuration: the admin, the login pages and the recruiter's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "AdFlux"
admin.site.site_title = "AdFlux"
admin.site.index_title = "Candidates, segments and campaigns"



def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Pages without an icon link (the admin's) ask the browser's default address."""
    return HttpResponseRedirect(static("adflux/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("segments/", include("segmentation.urls")),
    path("candidates/import/", include("candidates.urls")),
    path("candidates/", include("segmentation.urls_candidates")),
    path("campaigns/", include("campaigns.urls")),
    path("audit/", include("audit.urls")),
    # Public, login-free: job pages with the apply form, unsubscribe links of job-ad emails.
    path("", include("campaigns.public_urls")),
    path("", RedirectView.as_view(pattern_name="segments", permanent=False)),
]
