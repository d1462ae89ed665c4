from django.urls import path

from . import views

urlpatterns = [
    path("accounts/<int:pk>/exception/", views.request_exception, name="request_exception"),
    path("accounts/<int:pk>/review/", views.propose_review, name="propose_review"),
    path("exceptions/<int:pk>/decide/", views.decide_exception, name="decide_exception"),
    path("reviews/<int:pk>/decide/", views.decide_review, name="decide_review"),
]
