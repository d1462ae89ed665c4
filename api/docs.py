"""The Swagger UI page under the site's CSP: its script is a separate file (the split
view) and its few style rules are a static file, since nothing inline may run."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerUI(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
