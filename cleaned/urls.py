from django.urls import path

from . import views

app_name = "cleaned"
urlpatterns = [
    path("", views.cleaned_list, name="list"),
    path("archive/", views.cleaned_archive, name="archive"),
    path("archive/confirm/", views.cleaned_archive_confirm, name="archive_confirm"),
    path("export/", views.export_start, name="export"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:export_id>/download/", views.export_download, name="download"),
]
