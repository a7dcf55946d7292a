import os

import pytest
from django.test import Client

from contacts_app.models import Role

from .factories import make_member, make_workspace


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Each test starts with no throttle count (S7 counts calls per address for a
    sliding minute: another test's form submissions from 127.0.0.1 must not count)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in French leaves French
    active in the thread (LocaleMiddleware activates, nothing deactivates), and a
    service called next would speak French to an English assertion."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database commits without waiting for its WAL to reach the disk (this
    machine's flush is 50–150 ms): the suite's thousands of commits, its transactional
    tests' table flushes and its workers' chunks stop waiting on it. Nothing a test
    proves needs the disk: a killed worker is a killed process, never a crashed server.
    The one test that reads the setting sets it back for its session."""
    from django.db import connection

    with django_db_blocker.unblock():
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        connection.close()  # the next connection, and every worker's, has it


@pytest.fixture
def workspace(db):
    return make_workspace(slug="acme", name="Acme", contact_limit=1000)


@pytest.fixture
def other_workspace(db):
    return make_workspace(slug="globex", name="Globex")


@pytest.fixture
def admin_user(workspace):
    return make_member(workspace, Role.ADMIN)


@pytest.fixture
def member_user(workspace):
    return make_member(workspace, Role.MEMBER)


@pytest.fixture
def admin_client(admin_user):
    """Its own client: a test may use it beside `client` (anonymous) and `member_client`."""
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(member_user):
    client = Client()
    client.force_login(member_user)
    return client


# --- Browser (pytest-playwright driving Debian's chromium) --------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _static_files_by_name_for_the_live_server(request, settings):
    """pytest-django's live server serves /static/ from the apps' folders, which know
    no hashed names; browser tests ask for files by name (CSP and the rest unchanged).
    gunicorn + whitenoise with hashed names are tested in test_production.py."""
    if request.node.get_closest_marker("browser"):
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright_loop():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM
    # then refuses to run there unless told the code is synchronous on purpose.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def worker():
    """A real Celery worker process on the test database and Redis."""
    from .worker import Worker, flush_broker

    flush_broker()
    w = Worker().start()
    yield w
    w.kill()  # the test is decided: no warm shutdown (it cost 1.5–2 s a worker)
    flush_broker()


@pytest.fixture
def workers():
    """Start real Celery worker processes (any number, each its own options); all are
    stopped and the broker flushed at the end."""
    from .worker import Worker, flush_broker

    flush_broker()
    started: list = []

    def start(**kw):
        w = Worker(**kw).start()
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()  # the test is decided: no warm shutdown (it cost 1.5–2 s a worker)
    flush_broker()
