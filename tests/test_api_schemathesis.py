"""The REST API against its own OpenAPI schema (issue 12): schemathesis runs every operation of ``/api/schema/``
with a bounded number of generated requests against the app served on 127.0.0.1 (a live server in this process,
stopped at the end), as the performance unit with a personal API token. No request may give a server error and no
response may break the schema (status codes, content types, bodies). Run from .ci/run (marked ``services``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from pmf import api_tokens
from pmf.models import User

pytestmark = [pytest.mark.services, pytest.mark.django_db]

MAX_EXAMPLES = os.environ.get("API_FUZZ_EXAMPLES", "12")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def secret(django_db_setup, django_db_blocker) -> str:
    """The performance unit's token, committed before the test's transaction so the server's own connection sees it."""
    with django_db_blocker.unblock():
        return api_tokens.create_token(user=User.objects.get(username="helen.marsh"), name="schemathesis").secret


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        live = LiveServer("127.0.0.1:0")
    yield live
    live.stop()


def test_every_operation_keeps_to_the_schema_and_never_fails(secret, server, tmp_path):
    out = Path(__file__).resolve().parent.parent / "test-artifacts"
    out.mkdir(exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", f"{server.url}/api/schema/",
        "--checks", CHECKS, "--max-examples", MAX_EXAMPLES, "--no-shrink",
        "--phases", "examples,coverage,fuzzing", "--request-timeout", "30",
        "--header", f"Authorization: Bearer {secret}", "--generation-deterministic",
        "--generation-allow-x00", "false",  # NUL in a query: the whole site refuses it with its 400 page first
    ]
    # run in a scratch folder: schemathesis keeps its replay files in the folder it runs in
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False,  # noqa: S603
                            cwd=tmp_path)
    report = result.stdout + result.stderr
    (out / "schemathesis.txt").write_text(report.replace(secret, "<token>"))
    assert result.returncode == 0, report[-6000:].replace(secret, "<token>")
