"""Admin pages that show what a rule change would move before it is saved (DESIGN 3, 4).

Saving an edited segment threshold or rule parameter first shows the preview: which
fields change, and how many accounts would move from which segment to which and from
which priority to which. The admin then confirms (the same form data is posted again
and saved) or goes back. A saved change asks for a recompute of every account.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from orchestration.preview import preview_impact
from orchestration.tasks import request_full_run

CONFIRM = "_confirm_impact"
PASS_THROUGH_SKIPPED = {"csrfmiddlewaretoken", CONFIRM}


def queue_recompute(request, trigger: str) -> None:
    """Ask for a recompute of every account, stored with the save (delivered after its
    commit; a broker that is down only delays it)."""
    request_full_run(trigger)
    messages.info(
        request, "Saved. The recompute of every account's segment and priority will follow shortly."
    )


class ImpactPreviewAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves go through the impact preview; subclasses say what to pass."""

    impact_argument = ""  # the `preview_impact` keyword the edited object is passed as

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and CONFIRM not in request.POST:
            preview = self._preview(request, object_id)
            if preview is not None:
                return preview
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj)
        if not form.is_valid() or not form.has_changed():
            return None  # the normal view shows the errors, or saves a no-op
        before = {name: form.initial.get(name) for name in form.changed_data}
        candidate = form.save(commit=False)
        impact = preview_impact(**{self.impact_argument: candidate})
        changes = [
            (form.fields[name].label or name, before[name], form.cleaned_data[name])
            for name in form.changed_data
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"What saving this {self.model._meta.verbose_name} would change",
            "original": obj,
            "changes": changes,
            "impact": impact,
            "posted": [
                (key, value)
                for key, values in request.POST.lists()
                if key not in PASS_THROUGH_SKIPPED
                for value in values
            ],
            "confirm_name": CONFIRM,
        }
        return TemplateResponse(request, "admin/impact_preview.html", context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        queue_recompute(request, trigger="threshold_change")
