"""Requests generated from the API's own OpenAPI document (schemathesis): valid and invalid
inputs for every operation; whatever the input, no answer is a server error, and every error is
a problem-details document.

POST /check is left out: its generated URLs would make the server fetch arbitrary hosts, and
the tests talk to 127.0.0.1 only (its validation is tested in tests/test_api_check.py)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from crawler.api.problems import PROBLEM_TYPE
from tests.api_server import api_client
from tests.redis_server import page_record

pytestmark = pytest.mark.slow  # hundreds of generated requests

EXAMPLES = 20  # per operation and mode: the whole file stays around half a minute


def test_no_generated_request_is_a_server_error(tmp_path) -> None:
    # A high rate: the fuzzer must meet the endpoints, not the rate limit.
    with api_client("sqlite", tmp_path, rate="100000/minute",
                    portfolio="examples/portfolio.yaml") as api:
        from crawler.reports.store import Run, new_run_id

        run = Run(id=new_run_id(), portfolio="fuzz", status="finished")
        api.store.create_run(run)
        api.store.put_page(run.id, page_record("https://www.example.cn/", [("icp_missing", "")]))
        headers = api.token("admin")
        schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
        operations = [r.ok() for r in schema.get_all_operations()]
        spec = api.client.get("/openapi.json").json()
        fuzzed = [op for op in operations if op.path != "/api/v1/check"]
        assert len(fuzzed) == len(operations) - 1 >= 7
        statuses: set[int] = set()
        for operation in fuzzed:
            described = spec["paths"][operation.path][operation.method.lower()]
            takes_input = bool(described.get("parameters") or described.get("requestBody"))
            # An operation that takes no input has no invalid input to generate.
            modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input \
                else (GenerationMode.POSITIVE,)
            for mode in modes:

                @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
                @settings(max_examples=EXAMPLES, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
                def call(case) -> None:
                    response = case.call(headers=headers)
                    statuses.add(response.status_code)
                    assert response.status_code < 500, (
                        case.method, case.formatted_path, response.text[:500])
                    if response.status_code >= 400:
                        (content_type,) = response.headers["content-type"]
                        assert content_type.startswith(PROBLEM_TYPE), response.status_code
                        assert "Traceback" not in response.text

                call()
        # The generated requests reached the endpoints: answers, not only refusals.
        assert 200 in statuses and 422 in statuses and 401 not in statuses
