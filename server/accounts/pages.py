"""Signing in to the bureau's desk: a CSRF-protected form (the API's own credentials schema) and
a signed session."""
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import fields, validate

from server.accounts.auth import end_session, start_session
from server.accounts.operations import attempt_login
from server.accounts.routes import login_policy, signed_in_for_password_change
from server.accounts.schemas import PasswordChangeSchema, TokenExchangeSchema
from server.endpoints import QuerySchema
from server.pages import PUBLIC, SIGNED_IN, page, page_blueprint

blueprint = page_blueprint("account_pages", __name__, url_prefix="/desk")


class SignInPageQuery(QuerySchema):
    next = fields.String(validate=validate.Length(max=2000))


def _sign_in_page(status: int = 200):
    return render_template("desk/login.html", username=request.form.get("username", "")), status


def _sign_in_again(error):
    flash(error.message, "error")
    return _sign_in_page(error.status)


@blueprint.get("/login")
@page(roles=PUBLIC, query=SignInPageQuery, writes=False)
def login_form(query):
    return _sign_in_page()


@blueprint.post("/login")
@page(roles=PUBLIC, query=SignInPageQuery, form=TokenExchangeSchema, writes=True,
      refused=_sign_in_again)
def login(query, form):
    outcome = attempt_login(form["username"], form["password"], login_policy())
    if outcome.error is not None and outcome.error.code == "auth.password_change_required":
        return _password_page(query.get("next"))  # the one-time password opens only this
    if outcome.error is not None:  # answered, not raised: the failure count is kept
        return _sign_in_again(outcome.error)
    start_session(outcome.user)
    return redirect(_safe_next(query.get("next")))


def _password_page(next_page, status: int = 200):
    """设置新密码: the username and the one-time password just typed travel on in the form (a
    POST answer, never cached), with the new password asked twice."""
    return render_template("desk/password_change.html", username=request.form.get("username", ""),
                           password=request.form.get("password", ""), next=next_page), status


def _password_again(error, query=None):
    flash(error.message, "error")
    if error.code in ("auth.password_expired", "auth.locked", "auth.invalid_credentials",
                      "auth.inactive"):
        return _sign_in_page(error.status)
    return _password_page((query or {}).get("next"), error.status)


@blueprint.post("/password")
@page(roles=PUBLIC, query=SignInPageQuery, form=PasswordChangeSchema, writes=True,
      refused=_password_again)
def set_new_password(query, form):
    start_session(signed_in_for_password_change(form))
    flash("新密码已设置", "success")
    return redirect(_safe_next(query.get("next")))


@blueprint.post("/logout")
@page(roles=SIGNED_IN, writes=True)
def logout():
    end_session(g.user)
    return redirect(url_for("account_pages.login_form"))


def _safe_next(target: str | None) -> str:
    """Only follow a same-site path, never an absolute URL handed in by someone else."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("desk_pages.overview")
