"""Marketing's web workspace, served by the hub under `/workspace` (same app, same database).

It is a second face over the operations in `repdesk.hub.admin` (the CLI is the first):
pages call those operations, never write rows of their own.

Conventions for adding a page
-----------------------------
- **One module per section** in `workspace/pages/`, exposing `router`, made with
  `access.section_router(Access.MARKETING)` (or `Access.ADMIN`). Add the router to
  `pages.ROUTERS` and, if it has a menu entry, one `NavEntry(label, path, access, group)`
  line to `nav.NAV`. The router's access is the single declaration of who may use it; a
  route that needs more than its router declares it on itself
  (`dependencies=[Depends(require_admin)]`). `tests/workspace/test_access_matrix.py`
  walks every route under /workspace and fails on any route without a declared access.
- **Who is signed in**: take `user: CurrentUser` (or `AdminUser`) as a parameter.
- **Operations**: `hub = hub_for(request)` gives a `repdesk.hub.admin.Hub`; call the admin
  operation with `actor=user.email` so it writes its audit entry (`admin.audit.record`) in
  the same transaction as the change. Reads that only serve a page may use
  `hub.db.read()` directly.
- **Templates** live in `templates/<section>/`, extend `base.html` and fill
  `{% block content %}` (and `{% block title %}`). Render with
  `render(request, "section/page.html", **context)`: it adds `user`, `csrf_token`, `nav`,
  `flashes`, `current_path`, and the globals `static()` and filters `when`, `day`,
  `number`. Undefined template names are errors (StrictUndefined). Autoescape is on;
  never `|safe` on data. No inline `<script>` or `style=""` (the CSP forbids them): CSS
  in `static/`, data for charts as
  `<script type="application/json">{{ data|tojson }}</script>` or `data-*` attributes.
  `static/vendor/` holds vendored htmx and Chart.js.
- **Forms**: every POST form includes `{% include "_csrf.html" %}`; htmx requests carry the
  token in the `X-CSRF-Token` header (set by `hx-headers` on `<body>`). Every POST, PUT,
  PATCH and DELETE under /workspace is refused (403) without it.
- **After a successful POST** redirect (303) with a message:
  `return see_other(request, "/workspace/x", "Saved.")`; the next page shows it once.
  On bad input (`repdesk.domain.errors.ValidationError` from an operation) render the form
  again, with what was typed, status 400 and the message:
  `render(request, ..., status_code=400, messages=[Flash("error", str(exc))], ...)`.
  A ValidationError a page does not catch becomes a 400 page with its message.
- **Refusing**: raise `refusals.Refused(status, title, message)` for a page saying why;
  `refusals.SignInRequired` sends the browser to sign in. 404s and unexpected errors under
  /workspace are pages too (the sync API keeps its JSON errors).
- **CSV downloads**: `csv_download(filename, columns, rows)` (formula cells neutralised).
- Paths: section pages live at `/workspace/<section>`; static files at
  `/workspace/static/...`.
"""
