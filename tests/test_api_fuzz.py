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

from tests.api_helpers import _fresh_throttles, key_header  # noqa: F401 (autouse fixture)
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

    from meetings import transcript_import
    from tests.test_transcript_import import SALES_VTT

    meetings = [
        scored(make_meeting(alice, title="Acme", held_on=datetime.date(2026, 11, 2))),
        scored(make_meeting(bob, title="Globex", held_on=datetime.date(2026, 10, 20))),
        transcript_import.meeting_import_transcript(
            owner=alice,
            uploaded_file=SimpleUploadedFile("acme.vtt", SALES_VTT),
            held_on=datetime.date(2026, 11, 3),
        ),
        make_meeting(erin, title="South"),
    ]
    return {
        "ids": [m.pk for m in meetings],
        "reps": [alice.pk, bob.pk],
        "headers": {"Authorization": key_header(carol)},
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


def test_every_real_meeting_answers_match_the_schema(api_world):
    """Random ids mostly miss; this walks each meeting of the world (scored, awaiting mapping,
    another team's) through every meeting operation, so real rows are always checked."""
    operations = [
        op.ok()
        for op in schema.get_all_operations()
        if "{id}" in op.ok().path and op.ok().method.upper() == "GET"
    ]
    assert len(operations) == 4  # detail, segments, moments, kpis
    statuses = set()
    for operation in operations:
        for meeting_id in api_world["ids"]:
            case = operation.Case(path_parameters={"id": meeting_id})
            statuses.add(case.call_and_validate(headers=api_world["headers"], checks=CHECKS).status_code)
    assert statuses == {200, 404}  # carol's team's meetings open; erin's, and unscored KPIs, do not
    # And the trends of her reps and her team over the weeks that hold their scored meetings
    weeks = {"start": "2026-10-01", "end": "2026-11-30"}
    for rep in api_world["reps"]:
        case = schema["/api/v1/trends/rep/"]["GET"].Case(query={"rep": rep, "period": "week", **weeks})
        trend = case.call_and_validate(headers=api_world["headers"], checks=CHECKS).json()
        assert trend["meetings"] == 1
    case = schema["/api/v1/trends/team/"]["GET"].Case(query=weeks)
    table = case.call_and_validate(headers=api_world["headers"], checks=CHECKS).json()
    assert {r["rep"]["username"]: r["meetings"] for r in table["rows"]} == {"alice": 1, "bob": 1}
