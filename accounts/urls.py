from django.urls import path

from . import views

urlpatterns = [
    path("book/", views.book, name="book"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
]
