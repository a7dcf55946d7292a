from django.urls import path

from contacts_app.web import archive_jobs, privacy, views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/edit/", views.contact_edit, name="edit"),
    path("archive/", views.contacts_archive, name="archive"),
    path("archive/confirm/", views.contacts_archive_confirm, name="archive_confirm"),
    path("<int:contact_id>/erase/", privacy.contact_erase, name="erase"),
    path("<int:contact_id>/data/", privacy.contact_data_view, name="data"),
    path("erase/confirm/", privacy.contacts_erase_confirm, name="erase_confirm"),
    path("erase/", privacy.contacts_erase, name="erase_selection"),
    path("erasure-jobs/", privacy.erasure_jobs_list, name="erasure_jobs"),
    path("erasure-jobs/<int:number>/", privacy.erasure_job_detail, name="erasure_job"),
    path("erasure-jobs/<int:number>/status/", privacy.erasure_job_status, name="erasure_job_status"),
    path("suppressions/", privacy.suppressions_page, name="suppressions"),
    path("suppressions/<int:suppression_id>/remove/", privacy.suppression_remove, name="suppression_remove"),
    path("archive-jobs/", archive_jobs.archive_jobs_list, name="archive_jobs"),
    path("archive-jobs/<int:number>/", archive_jobs.archive_job_detail, name="archive_job"),
    path("archive-jobs/<int:number>/status/", archive_jobs.archive_job_status, name="archive_job_status"),
    path("archive-jobs/<int:number>/report.csv", archive_jobs.archive_job_report, name="archive_job_report"),
]
