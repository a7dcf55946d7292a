from django.urls import path

from . import views

app_name = "restore"
urlpatterns = [
    path("<int:job_id>/report.csv", views.job_report_csv, name="report"),
]
