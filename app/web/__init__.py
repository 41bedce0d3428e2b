"""The browser: sign-in, sessions and CSRF, the base layout and the agent console.

Other packages build their pages on this layout:

    {% extends "base.html" %}
    {% block title %}Floor{% endblock %}
    {% block main_class %}wide{% endblock %}          {# full-width pages like the dashboard #}
    {% block head %}<link rel="stylesheet" href="...">{% endblock %}
    {% block content %}<section class="card">...</section>{% endblock %}
    {% block scripts %}<script src="..." defer></script>{% endblock %}

and guard them with `app.auth.login_required(role="agent"|"supervisor")`. The layout
loads app.css (cards, tables, buttons, badges, forms), htmx and Alpine.js (vendored from npm
by `make install`) and /static/web/js/api.js: `api(method, path, body)` (JSON fetch carrying
the CSRF token, throwing the API's error message) and `flash(text, kind)`. htmx requests get
the CSRF header automatically; HTML forms need
`<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">`. Static files:
`asset_url(filename)` (versioned, cached for a year) or `url_for('web.static', filename=...)`.
Header links to /supervisor, /admin and /test-phone appear as soon as a package serves those
paths (see hooks.NAV).
"""

from flask import Flask

from app.web.assets import AssetsBlueprint

bp = AssetsBlueprint("web", __name__, template_folder="templates", static_folder="static",
                     static_url_path="/static/web")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.auth import principal_sources
    from app.web.hooks import enforce_csrf, forbidden_page, sign_in_page, template_globals
    from app.web.sessions import CookieSessionInterface, current_user, session_principal

    app.register_blueprint(bp)

    # The JSON API accepts a signed-in browser too, and app.auth guards pages with this
    # package's sessions and pages (app.auth knows no sessions itself).
    sources = principal_sources(app)
    sources.session = session_principal
    sources.user = current_user
    sources.sign_in = sign_in_page
    sources.forbidden = forbidden_page
    app.before_request(enforce_csrf)
    app.session_interface = CookieSessionInterface()
    app.context_processor(template_globals)


from app.web import console, signin  # noqa: E402,F401  (attach to bp)
