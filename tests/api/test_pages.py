"""Every desk page goes through `@page` (server/pages.py): sign-in, role, schemas, one commit."""
import pytest


PAGE_PREFIX = "/desk"


def desk_views(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PAGE_PREFIX) and rule.endpoint != "static":
            yield rule, app.view_functions[rule.endpoint]


def test_every_desk_route_is_a_page_that_declares_whether_it_writes(app):
    views = list(desk_views(app))
    assert len(views) > 20
    undeclared = [rule.rule for rule, view in views if not hasattr(view, "page_writes")]
    assert undeclared == []


def test_every_desk_page_that_takes_a_post_writes_or_says_why_not(app):
    readers = {"/desk/photos/verify"}  # checks an uploaded file; stores nothing
    for rule, view in desk_views(app):
        if "POST" in rule.methods and rule.rule not in readers:
            assert view.page_writes, rule.rule


def test_no_api_route_is_a_page(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith("/api/"):
            assert not hasattr(view, "page_writes"), rule.rule


@pytest.mark.parametrize("path", ["/desk/", "/desk/review/", "/desk/progress",
                                  "/desk/exports/", "/desk/ledger/indicators"])
def test_a_page_sends_an_anonymous_visitor_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/desk/login" in response.headers["Location"]
