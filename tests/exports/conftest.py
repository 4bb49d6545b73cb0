"""Fixtures for the print tests: a renderer with a LibreOffice profile of this session's own,
`render_xlsx(data)` naming the rendering after the test, and the demo county's exports."""
import pytest

from tests.api import conftest as api_fixtures
from tests.exports.rendering import Renderer

# The demo county (`flask demo create`) and its reviewer, as the desk tests have them.
demo_system = api_fixtures.demo_system
seeded = api_fixtures.seeded
reviewer_client = api_fixtures.reviewer_client


@pytest.fixture(scope="session")
def renderer(tmp_path_factory):
    return Renderer(tmp_path_factory.mktemp("libreoffice-profile"))


@pytest.fixture
def render_xlsx(renderer, request):
    """render_xlsx(data) -> Rendered, written to /tmp/loujian-renders/<test name>/."""
    def render(data: bytes, **options):
        return renderer.render(data, request.node.name, **options)
    return render
