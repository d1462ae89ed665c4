from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views, writes
from .docs import SwaggerUI

app_name = "api"

urlpatterns = [
    # Before `accounts/<external_id>/`, so that `accounts/bulk/` is the bulk write.
    *(
        path(f"{kind}/bulk/", view.as_view(), name=f"{kind}_bulk")
        for kind, view in writes.BULK_VIEWS.items()
    ),
    *(
        path(f"{kind}/<str:external_id>/", view.as_view(), name=f"{kind}_record")
        for kind, view in writes.DELETE_VIEWS.items()
    ),
    path("accounts/", views.AccountList.as_view(), name="accounts"),
    path("accounts/<str:external_id>/", views.AccountDetail.as_view(), name="account"),
    path(
        "accounts/<str:external_id>/explanation/",
        views.AccountExplanation.as_view(),
        name="account_explanation",
    ),
    path(
        "accounts/<str:external_id>/assessments/",
        views.AccountAssessments.as_view(),
        name="account_assessments",
    ),
    path(
        "accounts/<str:external_id>/timeline/",
        views.AccountTimeline.as_view(),
        name="account_timeline",
    ),
    path("metrics/", views.MetricResultList.as_view(), name="metrics"),
    path("burndown/<str:list>/", views.BurnDownList.as_view(), name="burndown"),
    path("tokens/", views.PersonalTokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", views.PersonalTokenDetail.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A page for people: anonymous visitors go to the login page, as elsewhere.
    path("docs/", login_required(SwaggerUI.as_view(url_name="api:schema")), name="docs"),
]
