from django.urls import path

from contacts_app.web import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/edit/", views.contact_edit, name="edit"),
    path("archive/", views.contacts_archive, name="archive"),
]
