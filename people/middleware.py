"""Middleware for signed-in sessions (issue 11)."""

from people.sessions import end_if_idle


class IdleSessionMiddleware:
    """Signs out a session idle longer than the admin's setting (people.sessions).

    Placed after AuthenticationMiddleware (it reads `request.user`) and MessageMiddleware (it
    says why); LoginRequiredMiddleware then sends the signed-out request to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            end_if_idle(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user (page, fragment, API,
    admin) and on every download, so neither a shared proxy nor the browser's cache keeps a
    copy of the portfolio once the person has gone.

    Placed before SessionMiddleware so it sees the final response; static files never reach
    it (WhiteNoise answers them earlier) and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_download(response) or _signed_in(request):
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in(request) -> bool:
    # DRF sets `request.user` for a bearer token too; a request refused before
    # AuthenticationMiddleware (a CommonMiddleware redirect) has no user.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _is_download(response) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    content_type = response.headers.get("Content-Type", "")
    return disposition.lower().startswith("attachment") or content_type.startswith("text/csv")
