"""The hub does what its OpenAPI document says: schemathesis generates requests from the
document (valid ones, and invalid ones that must be refused with a documented 4xx) and
checks every answer against it (status documented, body and headers as documented, no
server error), on a real hub over loopback, signed in as a real rep so the routes behind
a token are exercised too (issue 10, defect 8).

Reproducible: Hypothesis is derandomized and schemathesis has a fixed seed, so a failure
here fails the same way in CI. The figures of the last run are in docs/protocol.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World

from repdesk.hub.config import HubConfig, LoginThrottle
from repdesk.hub.embedded import EmbeddedHub

SEED = 20261206
CASES = {
    ("POST /v1/auth/login", GenerationMode.POSITIVE): 150,
    ("POST /v1/auth/login", GenerationMode.NEGATIVE): 150,
    ("GET /v1/sync/pull", GenerationMode.POSITIVE): 150,
    ("GET /v1/sync/pull", GenerationMode.NEGATIVE): 100,
    # A push body is the costliest to generate (~0.1 s for an invalid one here).
    ("POST /v1/sync/push", GenerationMode.POSITIVE): 100,
    ("POST /v1/sync/push", GenerationMode.NEGATIVE): 60,
    ("GET /v1/collateral/{sha256}", GenerationMode.POSITIVE): 150,
    ("HEAD /v1/collateral/{sha256}", GenerationMode.POSITIVE): 150,
    ("GET /v1/client/latest", GenerationMode.POSITIVE): 40,
    ("GET /v1/client/latest", GenerationMode.NEGATIVE): 40,
    ("GET /v1/client/builds/{sha256}", GenerationMode.POSITIVE): 60,
    ("HEAD /v1/client/builds/{sha256}", GenerationMode.POSITIVE): 60,
}
"""Cases per operation and generation mode; the rest (meta, logout, and the operations
with nothing to make invalid) take what there is, one or none; a new operation gets 5
until it is given its share here."""
MIN_CASES = 1000
REP = "ada@example.test"  # the World's rep (tests/support/world.py)

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def hub_config(tmp_path: Path, hub_db_url: str) -> HubConfig:
    """The hub with a sign-in throttle no fuzzer reaches, so sign-ins are checked all the
    way through instead of being answered 429 after the 20th wrong guess."""
    config = HubConfig.resolve(tmp_path / "hub", database_url=hub_db_url)
    return dataclasses.replace(config, login_throttle=LoginThrottle(10**6, 10**6))


def _token(base_url: str) -> str:
    response = httpx.post(f"{base_url}/v1/auth/login", json={"email": REP, "password": PASSWORD})
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def _schema(embedded_hub: EmbeddedHub, token: str) -> Any:
    spec = httpx.get(f"{embedded_hub.base_url}/openapi.json").json()
    config = schemathesis.Config.from_dict(
        {
            "base-url": embedded_hub.base_url,
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"deterministic": True},
            "operations": [
                {
                    # A schema-valid cursor from another hub database is refused as
                    # documented (410 cursor_expired: the client resyncs).
                    "include-path": "/v1/sync/pull",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [200, 410]}},
                }
            ],
        }
    )
    return schemathesis.openapi.from_dict(spec, config=config).include(path_regex="^/v1/")


@pytest.mark.timeout(900)  # ~2 min on the shared 2-core machine under heavy load
def test_the_hub_answers_as_its_openapi_document_says(
    world: World, embedded_hub: EmbeddedHub
) -> None:
    token = _token(embedded_hub.base_url)
    schema = _schema(embedded_hub, token)
    cases: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    auth_confirmed: set[str] = set()
    """Operations whose token check `ignored_auth` has confirmed (see `_runner`)."""
    failures: dict[str, str] = {}
    started = time.perf_counter()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run = _runner(
                    operation, mode, session, embedded_hub.base_url, cases, failures, auth_confirmed
                )
                began = time.perf_counter()
                # Unsatisfiable: nothing to make invalid (no parameters, or any string is valid)
                with contextlib.suppress(Unsatisfiable):
                    run()
                seconds[f"{operation.label} ({mode.value})"] = time.perf_counter() - began
    elapsed = time.perf_counter() - started
    total = sum(cases.values())
    print(f"schemathesis: {total} cases in {elapsed:.1f} s")
    for label, spent in seconds.items():
        print(f"  {label}: {cases[label]} cases, {spent:.1f} s")
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    assert total >= MIN_CASES, dict(cases)
    assert _token(embedded_hub.base_url), "the hub still signs the rep in afterwards"


def _runner(
    operation: Any,
    mode: GenerationMode,
    session: requests.Session,
    base_url: str,
    cases: Counter[str],
    failures: dict[str, str],
    auth_confirmed: set[str],
) -> Callable[[], None]:
    label = f"{operation.label} ({mode.value})"

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=CASES.get((operation.label, mode), 5),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        cases[label] += 1
        headers = None
        if operation.path == "/v1/auth/logout":
            # Signing out revokes the token it is sent with: give each its own.
            headers = {"Authorization": f"Bearer {_token(base_url)}"}
        # `ignored_auth` re-sends an accepted request without and with a wrong token; that
        # the route enforces its token is a property of the route, so once is enough.
        excluded = [ignored_auth] if operation.label in auth_confirmed else []
        try:
            response = case.call_and_validate(
                session=session, headers=headers, excluded_checks=excluded
            )
            if 200 <= response.status_code < 300:
                auth_confirmed.add(operation.label)
        except (Exception, BaseExceptionGroup) as exc:  # each distinct failure, not only the first
            text = str(exc)
            titles = [line for line in text.splitlines() if line.startswith("- ")]
            for title in titles or text.splitlines()[:1]:
                failures.setdefault(f"{label} {title}", text[:2000])

    return run
