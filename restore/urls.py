"""Pages of the restore app, under /w/<slug>/: the archived list (reached from the
contacts' three-dot menu), the restore jobs and the Forms pages (R9)."""

from django.urls import path

from . import form_views, views

app_name = "restore"
urlpatterns = [
    path("contacts/archived/", views.archived_list, name="archived"),
    path("restore-jobs/", views.jobs_list, name="jobs"),
    path("restore-jobs/preview/", views.restore_preview, name="preview"),
    path("restore-jobs/preview/details/", views.restore_preview_details, name="preview_details"),
    path("restore-jobs/start/", views.restore_start, name="start"),
    path("restore-jobs/<int:number>/", views.job_detail, name="job"),
    path("restore-jobs/<int:number>/status/", views.job_status, name="job_status"),
    path("restore-jobs/<int:number>/report.csv", views.job_report_csv, name="report"),
    path("restore-jobs/<int:number>/contacts/", views.restored_contacts, name="restored_contacts"),
    path("forms/", form_views.forms_list, name="forms"),
    path("forms/new/", form_views.form_new, name="form_new"),
    path("forms/<str:public_id>/", form_views.form_detail, name="form"),
    path("forms/<str:public_id>/deactivate/", form_views.form_deactivate_view, name="form_deactivate"),
    path("forms/<str:public_id>/activate/", form_views.form_activate_view, name="form_activate"),
]
