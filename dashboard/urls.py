from django.urls import path

from . import list_views, views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.dashboard, name="index"),
    path("dashboard/lists/<slug:key>/", list_views.burn_down_list, name="burn_down_list"),
    path("dashboard/lists/<slug:key>/csv/", list_views.burn_down_csv, name="burn_down_csv"),
    path("dashboard/queue/<slug:kind>/", list_views.queue_list, name="queue_list"),
    path("dashboard/queue/<slug:kind>/csv/", list_views.queue_csv, name="queue_csv"),
]
