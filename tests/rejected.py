"""Posting a form that must be refused (`core.rejected_forms`): the answer is a redirect to
the page the form was on, at the form, and the page that follows shows it as typed."""


def refused(client, url, data, *, page, form_id):
    """Post `data` to `url`; assert the browser is sent back to `page` at `#form_id`, and
    return the page as the browser then gets it."""
    response = client.post(url, data)
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{page}#{form_id}"
    return client.get(page)
