from django.urls import path

from . import views

app_name = "cleaned"
urlpatterns = [
    path("", views.cleaned_list, name="list"),
    path("archive/", views.cleaned_archive, name="archive"),
    path("archive/confirm/", views.cleaned_archive_confirm, name="archive_confirm"),
    path("export/", views.export_start, name="export"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:number>/download/", views.export_download, name="download"),
    path("exports/<int:number>/cancel/", views.export_cancel_view, name="export_cancel"),
    path("contacts/<int:contact_id>/unclean/", views.contact_unclean, name="unclean"),
    path("incidents/", views.incident, name="incident"),
    path("incidents/revert/", views.incident_revert, name="incident_revert"),
    path("incidents/<int:number>/", views.revert_job, name="revert_job"),
    path("incidents/<int:number>/report.csv", views.revert_job_report, name="revert_report"),
]
