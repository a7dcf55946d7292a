from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog

from cleaned.webhooks import tracking_urlpatterns
from contacts_app.web import views as contact_views
from contacts_app.web.activity import activity
from contacts_app.web.forms import AdminLoginForm, LoginForm
from contacts_app.web.metrics import metrics as job_metrics
from contacts_app.web.webhooks import webhook_urlpatterns
from restore import public_forms

from .api import api, error_response


@csrf_exempt  # nothing is here to protect: answer 404 to every method alike
def api_not_found(request, *args, **kwargs):
    """Any other path under /api/: the API's 404, in its own shape."""
    return error_response(404)


admin.site.login_form = AdminLoginForm  # S4: a bounded username, as on our login page

urlpatterns = [
    path("", contact_views.home, name="home"),
    path("health", contact_views.health, name="health"),
    path("metrics", job_metrics, name="metrics"),  # A6: operators (token or allowed address)
    path("i18n/", include("django.conf.urls.i18n")),  # set_language (U3)
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("w/<slug:slug>/contacts/", include("contacts_app.web.urls")),
    path("w/<slug:slug>/activity/", activity, name="activity"),
    path("w/<slug:slug>/", include("restore.urls")),
    path("w/<slug:slug>/cleaned/", include("cleaned.urls")),
    path("w/<slug:slug>/settings/webhooks/", include((webhook_urlpatterns, "webhooks"))),
    path("f/<str:public_id>/", public_forms.form_public, name="form_public"),  # R9: visitors, no login
    path("f/<str:public_id>/thanks/", public_forms.form_thanks, name="form_thanks"),
    path("f/<str:public_id>/confirm/<str:token>/", public_forms.form_confirm, name="form_confirm"),
    path("api/v1/", api_not_found),  # ninja's home without docs raised a 500: the API's own 404
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("webhooks/anymail/", include((tracking_urlpatterns(settings.ANYMAIL_TRACKING_PROVIDERS), "anymail"))),
]
