from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts_app import views as contact_views

urlpatterns = [
    path("", contact_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("w/<slug:slug>/contacts/", include("contacts_app.urls")),
    path("w/<slug:slug>/", include("restore.urls")),
    path("w/<slug:slug>/cleaned/", include("cleaned.urls")),
    path("api/v1/", include("config.api_urls")),
    path("webhooks/anymail/", include("anymail.urls")),
]
