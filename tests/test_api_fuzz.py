"""Schemathesis fuzzes every API operation from the OpenAPI schema, as a user with real data:
no answer may be a server error, and every answer must match what the schema documents."""

import datetime

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import _fresh_throttles, key_client  # noqa: F401 (autouse fixture)
from tests.test_api import scored

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request, which would end the
    test's transaction; Django's test client unhooks the same signal handler."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, keep_connection, alice, bob, carol, erin, make_meeting):
    """carol (North's manager) with a scored meeting of each rep, a transcript awaiting mapping,
    and a South meeting she may not see; her key's header."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings import services
    from tests.test_transcript_import import SALES_VTT

    meetings = [
        scored(make_meeting(alice, title="Acme", held_on=datetime.date(2026, 11, 2))),
        scored(make_meeting(bob, title="Globex", held_on=datetime.date(2026, 10, 20))),
        services.meeting_import_transcript(
            owner=alice,
            uploaded_file=SimpleUploadedFile("acme.vtt", SALES_VTT),
            held_on=datetime.date(2026, 11, 3),
        ),
        make_meeting(erin, title="South"),
    ]
    client = key_client(carol)
    return {
        "ids": [m.pk for m in meetings],
        "headers": {"Authorization": client._credentials["HTTP_AUTHORIZATION"]},
    }


# Built at import from the code (no request, no database): the same schema /api/schema/ serves.
# (schemathesis.pytest.from_fixture would build it per test, but relies on a pytest internal
# that pytest 9 removed.) Requests go to the WSGI app in-process, inside the test's transaction.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_answers_match_the_schema_and_never_fail(case, api_world):
    # Half of the generated meeting ids are swapped for real ones, so the fuzzer reaches
    # meetings carol may open (and one she may not), not only 404s.
    path = case.path_parameters or {}
    if isinstance(path.get("id"), int) and path["id"] % 2 == 0:
        path["id"] = api_world["ids"][path["id"] // 2 % len(api_world["ids"])]
    case.call_and_validate(headers=api_world["headers"], checks=CHECKS)
