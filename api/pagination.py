"""Cursor pagination: stable pages while rows change underneath (a sync that pages
through accounts while the nightly run rewrites priorities sees each account once)."""

from rest_framework.pagination import CursorPagination


class ById(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class NewestFirst(ById):
    ordering = ("-occurred_on", "-id")
