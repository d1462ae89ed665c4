from django.urls import path

from . import book, views

urlpatterns = [
    path("book/", book.book, name="book"),
    path("book/export.csv", book.book_export, name="book_export"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/timeline/", views.account_timeline, name="account_timeline"),
    path("accounts/<int:pk>/log/<slug:kind>/", views.log_activity, name="log_activity"),
]
