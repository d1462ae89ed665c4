"""Post/Redirect/Get for a rejected form (issue 12 point 6: errors where the user is looking).

A form posted from a page to an address of its own (log an activity, set a fact, request,
propose, decide) used to come back rendered at that POST address: the location bar showed
it, a reload posted again, and the form sat far down the page. Now the view calls
`reject()`: the typed input (without the CSRF token) and the form's errors, the service's
included, are kept in the session under the form's HTML id, a banner at the top says what
was not saved and links to the form, and the browser goes back to the page it came from
with `#<form id>` so it lands at the form. That page calls `take()` once and builds each
form with `RejectedForm.form()`: the one that was rejected comes back bound to what was
typed, with its errors; the stash is gone after that request, so a reload shows clean forms.

The form validates the input again on the way back (its own messages reappear, as they
would for any bound form), and the stashed messages it cannot reproduce (a service's
`ValidationError`, which depends on what the database said at the time) are added.

Pages that have a GET address of their own and post to it (the entry edit page, the import
page) keep rendering their errors in the response: their address is the form's.

Layer: a face helper with no domain in it, below both faces that use it (`dashboard`,
`portal`), hence here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib import messages
from django.forms import Form
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.utils.html import format_html

SESSION_KEY = "rejected_form"
NOT_INPUT = {"csrfmiddlewaretoken"}


def reject(
    request: HttpRequest, form: Form, *, form_id: str, back_to: str, not_saved: str
) -> HttpResponseRedirect:
    """Keep what was typed into `form` and why it was refused, say so at the top of the
    page, and send the browser to `back_to` (a local URL) at `#form_id`."""
    page = back_to.split("#", 1)[0]
    request.session[SESSION_KEY] = {
        "form_id": form_id,
        "path": urlsplit(page).path,
        "data": {name: values for name, values in request.POST.lists() if name not in NOT_INPUT},
        "errors": {name: list(errors) for name, errors in form.errors.items()},
    }
    messages.error(
        request,
        format_html('{} <a href="#{}">See what to correct at the form.</a>', not_saved, form_id),
    )
    return HttpResponseRedirect(f"{page}#{form_id}")


@dataclass(frozen=True)
class RejectedForm:
    """What `reject()` kept for this page, or nothing (`form_id` empty)."""

    form_id: str = ""
    data: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def form(self, form_id: str, make_form: Callable[[QueryDict | None], Form]) -> Form:
        """`make_form(data)`: bound to the input kept for `form_id`, with its errors, if
        that is the form rejected; else `make_form(None)`, a fresh form."""
        if form_id != self.form_id:
            return make_form(None)
        data = QueryDict(mutable=True)
        for name, values in self.data.items():
            data.setlist(name, values)
        form = make_form(data)
        for name, errors in self.errors.items():
            target = name if name in form.fields else None
            shown = form.errors.get(target or NON_FIELD_ERRORS, [])
            for error in errors:
                if error not in shown:
                    form.add_error(target, error)
        return form


def take(request: HttpRequest) -> RejectedForm:
    """The rejected form kept for this page, removed from the session (one-shot). A stash
    meant for another page is dropped too: it belonged to the redirect just followed."""
    kept = request.session.pop(SESSION_KEY, None)
    if not kept or kept["path"] != request.path:
        return RejectedForm()
    return RejectedForm(kept["form_id"], kept["data"], kept["errors"])
