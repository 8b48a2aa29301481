"""The screens (issue 15): static pages that work only through the public /v1 API.

Pages live in ``pages/`` (one per role, the TV board, the API docs), shared and per-screen
scripts and styles in ``assets/``, and the pinned front-end packages (package.json, installed
by ``make``'s set-up with ``npm ci``) in ``node_modules/``. Nothing is fetched from the
internet at run time; ``VENDOR`` names the only package files the gateway serves.
"""
import mimetypes
import pathlib

from werkzeug.security import safe_join
from werkzeug.wrappers import Response

HERE = pathlib.Path(__file__).parent
PAGES = HERE / "pages"
ASSETS = HERE / "assets"
MODULES = HERE / "node_modules"
VENDOR = {   # URL name under /vendor/ -> file in node_modules
    "alpine.js": "alpinejs/dist/cdn.min.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "axe.min.js": "axe-core/axe.min.js",
}
CACHE = "no-cache"   # revalidate: a new release is picked up at the next load


def _file(path, status=200):
    if path is None or not path.is_file():
        return not_found()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mime.startswith("text/") or mime in ("application/javascript", "application/json"):
        mime += "; charset=utf-8"
    return Response(path.read_bytes(), status=status, headers={"Content-Type": mime,
                                                              "Cache-Control": CACHE})


def not_found():
    return Response("not found", status=404, mimetype="text/plain")


def page(name):
    """/app/<name> -> pages/<name>.html (letters, digits and dashes only)."""
    if not name.replace("-", "").isalnum():
        return not_found()
    return _file(PAGES / f"{name}.html")


def asset(name):
    joined = safe_join(str(ASSETS), name)
    return _file(pathlib.Path(joined) if joined else None)


def vendor(name):
    if name not in VENDOR:
        return not_found()
    path = MODULES / VENDOR[name]
    if not path.is_file():
        return Response("front-end packages are not installed: run make (npm ci in gateway/web)",
                        status=503, mimetype="text/plain")
    return _file(path)
