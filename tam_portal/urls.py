from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import today

from .health import health

# The admin is part of the product: it carries its name and links back to the portal.
admin.site.site_header = "TAM Portal administration"
admin.site.site_title = "TAM Portal administration"
admin.site.index_title = "TAM Portal administration"
admin.site.site_url = "/book/"

urlpatterns = [
    # TAMs and managers land on Today, admins on the book (portal/today.py).
    path("", today.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail (Django's views, our templates in templates/registration/):
    # the same answer whether or not the address belongs to someone.
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("portal.urls")),
    path("", include("dashboard.urls")),
]
