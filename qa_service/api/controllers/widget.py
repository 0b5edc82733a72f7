"""The chat widget's static files: ``/`` (standalone page), ``/widget.js`` and ``/widget.css``.

Served by explicit handlers rather than a static-files mount at ``/``, so unknown paths keep their
problem+json 404 and nothing else in the directory is exposed. The routes sit outside the ``/v1``
router, so the API-key guard never applies; they are left out of the OpenAPI schema.
"""

from __future__ import annotations

import html
from pathlib import Path

from litestar import Response, Router, get

from qa_service.settings import Settings

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
KEY_PLACEHOLDER = 'data-api-key=""'

# The standalone page only talks to its own origin; the widget never needs inline code.
INDEX_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_COMMON_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def _read(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def index_html(settings: Settings) -> bytes:
    """The page with the widget key filled in: that key is public by design (own rate limit)."""
    page = _read("index.html").decode("utf-8")
    key = settings.widget_api_key.get_secret_value() if settings.widget_api_key else ""
    if key:
        page = page.replace(KEY_PLACEHOLDER, f'data-api-key="{html.escape(key, quote=True)}"', 1)
    return page.encode("utf-8")


def widget_router(settings: Settings) -> Router:
    """Files are read once, when the app is built: they are small and never change at run time."""
    page = index_html(settings)
    script = _read("widget.js")
    style = _read("widget.css")

    @get("/", include_in_schema=False, sync_to_thread=False)
    def index() -> Response[bytes]:
        headers = {**_COMMON_HEADERS, "Content-Security-Policy": INDEX_CSP}
        return Response(page, media_type="text/html", headers=headers)

    @get("/widget.js", include_in_schema=False, sync_to_thread=False)
    def widget_js() -> Response[bytes]:
        return Response(script, media_type="text/javascript", headers=_COMMON_HEADERS)

    @get("/widget.css", include_in_schema=False, sync_to_thread=False)
    def widget_css() -> Response[bytes]:
        return Response(style, media_type="text/css", headers=_COMMON_HEADERS)

    return Router(path="/", route_handlers=[index, widget_js, widget_css])
