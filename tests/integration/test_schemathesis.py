"""Property-based checks of the REST gateway against its own OpenAPI document.

schemathesis generates requests that fit /openapi.json and checks that the
live server never answers 5xx and that every answer (failures included) has a
status, content type and body the document declares. Positive data only, and
a bounded number of examples per operation, so it stays well under a minute.

Random strings almost never decode as an image, so each image operation also
runs with a real photo swapped into ``image``: the other fields (operations,
sizes, landmarks, thresholds...) then reach the core instead of stopping at
the base64 check.

The server is a session fixture, so the document only exists once tests run:
schemathesis's own lazy loader (``schemathesis.pytest.from_fixture``) does
not work with pytest 9, hence one hypothesis test per operation built here.
The face store's /api/faces/... paths change state on the shared server, so
they are left to their own tests.
"""

from __future__ import annotations

import base64

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/api/detect-face"),
    ("POST", "/api/extract-embedding"),
    ("POST", "/api/process-image"),
    ("POST", "/api/calculate-similarity"),
    ("GET", "/api/health"),
    ("GET", "/api/status"),
]
IMAGE_PATHS = {"/api/detect-face", "/api/extract-embedding", "/api/process-image"}
VARIANTS = [
    (method, path, image)
    for method, path in OPERATIONS
    for image in (("generated", "photo") if path in IMAGE_PATHS else ("generated",))
]


@pytest.fixture(scope="module")
def rest_schema(server):
    return schemathesis.openapi.from_url(f"{server.rest_url}/openapi.json", timeout=30)


def test_document_lists_the_legacy_paths(rest_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in rest_schema.get_all_operations()}
    assert set(OPERATIONS) <= found


@pytest.mark.parametrize(
    ("method", "path", "image"), VARIANTS, ids=[f"{p}-{i}" for _, p, i in VARIANTS]
)
def test_operation_conforms_to_the_document(rest_schema, photos, method, path, image):
    operation = rest_schema[path][method]
    photo = base64.b64encode((photos / "yaoming.jpg").read_bytes()).decode()

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def run(case):
        if image == "photo" and isinstance(case.body, dict):
            case.body["image"] = photo
        case.call_and_validate(checks=CHECKS, timeout=60)

    run()
