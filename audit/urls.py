from django.urls import path

from audit import views

urlpatterns = [
    path("", views.audit_list, name="audit"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
]
