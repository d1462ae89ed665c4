"""What the browser posts from the admin's change pages, for tests that save through them."""


def segment_form(segment, **changes) -> dict:
    """The Segment change form as filled for `segment`, with `changes` applied (blank
    fields left out, as the browser sends an empty optional number)."""
    data = {
        "code": segment.code,
        "name": segment.name,
        "engagement_model": segment.engagement_model,
        "position": segment.position,
        "tam_assigned": "on" if segment.tam_assigned else "",
        "min_arr": segment.min_arr,
        "min_arr_inclusive": "on" if segment.min_arr_inclusive else "",
        "lam_min_arr": segment.lam_min_arr or "",
        "high_lam_usd": segment.high_lam_usd or "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def inline_form_data(response, **fields) -> dict:
    """What the browser posts for the inlines as rendered, plus the main-form `fields`."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        for form in [inline.formset.management_form, *inline.formset.forms]:
            for name in form.fields:
                if form[name].value() is not None:
                    data[form[name].html_name] = form[name].value()
    return data | fields
