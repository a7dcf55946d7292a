from django.urls import path

from . import views

app_name = "restore"
urlpatterns = [
    path("", views.jobs_list, name="jobs"),
    path("preview/", views.restore_preview, name="preview"),
    path("preview/details/", views.restore_preview_details, name="preview_details"),
    path("start/", views.restore_start, name="start"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/status/", views.job_status, name="job_status"),
    path("<int:job_id>/report.csv", views.job_report_csv, name="report"),
]
