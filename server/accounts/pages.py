"""Signing in to the bureau's desk: a CSRF-protected form and a signed session."""
import functools
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from server.accounts.auth import end_session, start_session, user_from_session
from server.accounts.operations import LoginPolicy, attempt_login
from server.extensions import db

blueprint = Blueprint("account_pages", __name__, url_prefix="/desk")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=40)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def login_required(view):
    @functools.wraps(view)
    def guarded(**kwargs):
        g.user = user_from_session()
        if g.user is None:
            return redirect(url_for("account_pages.login", next=request.full_path))
        return view(**kwargs)

    return guarded


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        policy = LoginPolicy(current_app.config["LOGIN_MAX_FAILURES"],
                             current_app.config["LOGIN_LOCKOUT"])
        outcome = attempt_login(form.username.data.strip(), form.password.data, policy)
        db.session.commit()
        if outcome.error is None:
            start_session(outcome.user)
            return redirect(_safe_next(request.args.get("next")))
        flash(outcome.error.message, "error")
        status = outcome.error.status
    else:
        status = 400 if request.method == "POST" else 200
        for errors in form.errors.values():
            for message in errors:
                flash("表单已过期，请刷新页面后重试" if "CSRF" in message else message, "error")
    return render_template("desk/login.html", form=form), status


@blueprint.post("/logout")
def logout():
    end_session()
    return redirect(url_for("account_pages.login"))


def _safe_next(target: str | None) -> str:
    """Only follow a same-site path, never an absolute URL handed in by someone else."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("desk_pages.overview")
