"""Failed sign-ins are throttled (issue 11), with django-axes configured in settings.py.

After `AXES_FAILURE_LIMIT` wrong passwords for one username from one address, that pair is
refused for `AXES_COOLOFF_TIME`: axes' backend, first in AUTHENTICATION_BACKENDS, refuses it
before the password hasher runs, so a stream of refused attempts costs a query or two, not a
hash each. Admins unlock a pair early by deleting its access attempt in the admin.
"""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "Too many failed sign-ins for this user from this address; try again in "
        f"{minutes} minutes or ask an admin to unlock it."
    )


def locked_out_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message in place of the form's error (429).

    Also the answer on the admin's login page: its form is the same username and password.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if not next_url and request.path.startswith(reverse("admin:index")):
        next_url = reverse("admin:index")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": next_url,
        "locked_out": lockout_message(),
    }
    return render(request, "registration/login.html", context, status=429)


def client_address(request) -> str | None:
    """The address failed sign-ins are counted against.

    `REMOTE_ADDR`, unless TRUSTED_PROXY_COUNT says how many reverse proxies stand in front
    of the server: each appends the address it was reached from to X-Forwarded-For, so the
    client is that many entries from the right. Entries further left are whatever the client
    sent and are ignored. A header too short or not an address falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
