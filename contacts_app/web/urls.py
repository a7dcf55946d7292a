from django.urls import path

from contacts_app.web import archive_jobs, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/edit/", views.contact_edit, name="edit"),
    path("archive/", views.contacts_archive, name="archive"),
    path("archive/confirm/", views.contacts_archive_confirm, name="archive_confirm"),
    path("archive-jobs/", archive_jobs.archive_jobs_list, name="archive_jobs"),
    path("archive-jobs/<int:number>/", archive_jobs.archive_job_detail, name="archive_job"),
    path("archive-jobs/<int:number>/status/", archive_jobs.archive_job_status, name="archive_job_status"),
    path("archive-jobs/<int:number>/report.csv", archive_jobs.archive_job_report, name="archive_job_report"),
]
