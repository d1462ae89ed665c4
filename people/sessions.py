"""Idle sessions end (issue 11): a signed-in session that makes no request for the admin's
idle time (`SecuritySettings.session_idle_minutes`) is signed out on its next request.

The session keeps the time it was last seen, refreshed at most once a minute, so a busy
session is written once a minute rather than on every request, and the setting is read only
on those refreshes: a request less than a minute after the last refresh cannot be idle,
since the shortest idle time allowed is 5 minutes. The price is that a session may end up to
a minute early.
"""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from people.models import SecuritySettings

LAST_SEEN = "people_last_seen"  # seconds since the epoch, refreshed at most once a minute
REFRESH_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="people.sessions.stamp_last_seen")
def stamp_last_seen(sender, request, user, **kwargs):
    """A new session starts seen: its first requests need no refresh and no setting."""
    if hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


def end_if_idle(request) -> bool:
    """Sign the request's user out if their session has been idle too long; True if so."""
    now = int(time.time())
    last_seen = request.session.get(LAST_SEEN)
    if not isinstance(last_seen, int):  # a session from before this rule counts from now
        request.session[LAST_SEEN] = now
        return False
    idle_seconds = now - last_seen
    if idle_seconds < REFRESH_SECONDS:
        return False
    limit_seconds = SecuritySettings.session_idle_seconds()
    if idle_seconds > limit_seconds:
        logout(request)
        messages.info(
            request,
            f"You were signed out after {_duration(limit_seconds // 60)} without activity. "
            "Please sign in again.",
        )
        return True
    request.session[LAST_SEEN] = now
    return False


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"
