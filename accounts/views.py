from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Account


def _account_for_user(request, pk):
    """The account if it is in the user's scope; 404 otherwise, so nothing leaks."""
    return get_object_or_404(
        Account.objects.visible_to(request.user).select_related(
            "region", "tam", "segment", "segment_override", "parent"
        ),
        pk=pk,
    )


BOOK_PAGE_SIZE = 50


def book(request):
    accounts = (
        Account.objects.visible_to(request.user)
        .select_related("region", "segment", "segment_override", "tam")
        .order_by("name", "pk")
    )
    page = Paginator(accounts, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/book.html", {"accounts": page.object_list, "page": page})


def account_detail(request, pk):
    account = _account_for_user(request, pk)
    activities = account.activities.select_related("logged_by")[:50]
    return render(
        request, "accounts/account_detail.html", {"account": account, "activities": activities}
    )
