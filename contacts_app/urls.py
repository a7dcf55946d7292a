from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("archive/", views.contacts_archive, name="archive"),
    path("archived/", views.archived_list, name="archived"),
]
