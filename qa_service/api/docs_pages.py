"""``/schema``: Swagger UI served from the installed ``swagger-ui-bundle-v2`` package, never a CDN.

Litestar's render plugins point at public CDNs (unpinned, no integrity hashes) and inline the
spec in a ``<script>``, so the API docs broke offline and could not carry a strict CSP. Here the
page loads only same-origin files: Swagger UI 5 (OpenAPI 3.1) from the package and a small init
script that fetches ``/schema/openapi.json``. ReDoc ships in no package without Django, so the
other Litestar pages (``/schema/redoc``, ``/schema/elements``...) are not served.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/schema"
ASSETS = "/assets"
# Swagger UI sets inline style attributes on its elements; nothing else is loosened.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
INIT_JS = b"""window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null
  });
});
"""
_FILES: dict[str, tuple[str, str]] = {  # served name -> (file in the package, media type)
    "swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("swagger-ui.css", "text/css"),
}


class LocalSwaggerRenderPlugin(OpenAPIRenderPlugin):
    """Swagger UI at ``/schema`` and ``/schema/swagger``: same-origin scripts, no inline code."""

    def __init__(self) -> None:
        super().__init__(path=["/swagger", "/"], favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        spec_url = html.escape(self.get_openapi_json_route(request), quote=True)
        assets = DOCS_PATH + ASSETS
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body><div id="swagger-ui" data-spec-url="{spec_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script>
</body></html>
""".encode()


def _asset(name: str) -> tuple[bytes, str]:
    if name == "swagger-init.js":
        return INIT_JS, "text/javascript"
    file_name, media_type = _FILES[name]
    return Path(str(swagger_ui_path), file_name).read_bytes(), media_type


def docs_router() -> Router:
    """The ``/schema`` router (Litestar adds the page and JSON routes to it), every response with
    the CSP; asset files are read once, when the app is built."""
    files = {name: _asset(name) for name in [*_FILES, "swagger-init.js"]}

    @get(f"{ASSETS}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
    def asset(name: str) -> Response[bytes]:
        if name not in files:
            raise NotFoundException(f"no docs asset named {name!r}")
        content, media_type = files[name]
        headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
        return Response(content, media_type=media_type, headers=headers)

    return Router(
        DOCS_PATH,
        route_handlers=[asset],
        include_in_schema=False,
        response_headers={"Content-Security-Policy": DOCS_CSP},
    )
