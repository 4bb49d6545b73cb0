"""Loujian's Flask application."""
from pathlib import Path

from flask import Flask
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

from server import models  # noqa: F401  (every model registered before the mappers are used)
from server.accounts import admin_pages as account_admin_pages
from server.accounts import admin_routes as account_admin_api
from server.accounts import pages as account_pages
from server.accounts import routes as accounts_api
from server.accounts.auth import SessionCookieSecureOverHttps
from server.accounts.cli import users_cli
from server.app_shell import routes as app_shell
from server.appraisals import pages as appraisal_pages
from server.appraisals import routes as appraisals_api
from server.audit import pages as audit_pages
from server.buildings import pages as basics_pages
from server.buildings import routes as buildings_api
from server.buildings.cli import buildings_cli, communities_cli, estates_cli
from server.config import load_settings
from server.db_sqlite import forget_declared_writes, make_sqlite_behave
from server.demo.cli import demo_cli
from server.desk import pages as desk_pages
from server.desk import progress_pages
from server.endpoints import DatabaseIntegerConverter, refuse_nul_in_path
from server.commit_pipeline import install_commit_pipeline
from server.errors import register_error_handlers
from server.exports import pages as export_pages
from server.extensions import csrf, db, migrate
from server.findings import pages as review_pages
from server.findings import rectification_pages
from server.findings import routes as review_api
from server.followups import pages as follow_up_pages
from server.followups import routes as follow_ups_api
from server.ledger import pages as ledger_pages
from server.ledger import routes as ledger_api
from server.meta import routes as meta_api
from server.pages import register_template_helpers
from server.signals import estate_company_changed, photo_arrived, round_opened
from server.photos import pages as photo_pages
from server.photos import routes as photos_api
from server.photos.cli import photos_cli
from server.planning import pages as planning_pages
from server import catalog
from server.surveys import pages as survey_pages
from server.surveys import routes as surveys_api
from server.surveys.cli import forms_cli, rounds_cli
from server.syncing import feed
from server.syncing import routes as syncing_api
from server.touches import write_touches_after_each_request

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
API_BLUEPRINTS = (meta_api, accounts_api, account_admin_api, buildings_api, surveys_api, photos_api, syncing_api,
                  ledger_api, review_api, appraisals_api, follow_ups_api)
PAGE_BLUEPRINTS = (account_pages, desk_pages, review_pages, ledger_pages, appraisal_pages,
                   export_pages, progress_pages, rectification_pages, survey_pages,
                   photo_pages, planning_pages, basics_pages, account_admin_pages, audit_pages,
                   follow_up_pages)
CLI_GROUPS = (users_cli, buildings_cli, estates_cli, communities_cli, demo_cli, forms_cli,
              rounds_cli, photos_cli)
# Who reacts to what happened (server/signals.py).
EVENT_HANDLERS = ((photo_arrived, feed.announce_findings_of_photo),
                  (round_opened, feed.announce_carried_over),
                  (estate_company_changed, feed.announce_buildings_of_estate))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(load_settings(app.instance_path, config))
    configure_db(app)
    install_commit_pipeline(db.session)
    write_touches_after_each_request(app)
    connect_event_handlers()
    configure_security(app)
    configure_compression(app)
    register_template_helpers(app)
    catalog.configure_forms(app)
    configure_routing(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def configure_routing(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(refuse_nul_in_path)


def configure_db(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            make_sqlite_behave(db.engine)
    app.teardown_request(forget_declared_writes)


def connect_event_handlers() -> None:
    for signal, handler in EVENT_HANDLERS:
        signal.connect(handler)


def configure_security(app: Flask) -> None:
    csrf.init_app(app)
    app.session_interface = SessionCookieSecureOverHttps()
    hops = app.config["LOUJIAN_TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def configure_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "application/manifest+json", "image/svg+xml"])
    Compress(app)  # gzip/brotli for text responses (JSON, the app shell); photos are left as they are


def register_blueprints(app: Flask) -> None:
    for module in API_BLUEPRINTS:
        csrf.exempt(module.blueprint)  # bearer tokens, not cookies: nothing to forge
        app.register_blueprint(module.blueprint)
    app.register_blueprint(app_shell.blueprint)
    for module in PAGE_BLUEPRINTS:
        app.register_blueprint(module.blueprint)


def register_cli(app: Flask) -> None:
    for group in CLI_GROUPS:
        app.cli.add_command(group)
