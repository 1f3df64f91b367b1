"""Auth: tokens, principals, and the FastAPI dependencies on a tiny app."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import time_machine
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from vet_common.auth import (
    LEEWAY_SECONDS,
    AuthError,
    CurrentPrincipal,
    Principal,
    Role,
    decode_token,
    issue_token,
    require_roles,
)
from vet_common.jurisdiction import region_keys, within
from vet_common.settings import DEV_JWT_SECRET, Environment, Settings

SECRET = "test-secret-0123456789abcdef0123456789"


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret=SECRET)


def token(settings: Settings, roles: tuple[str, ...] = ("officer",), region: str = "350102", **kw: Any) -> str:
    return issue_token(settings, sub="u-1", name="林晓", roles=roles, region=region, **kw)


def test_round_trip(settings: Settings) -> None:
    principal = decode_token(settings, token(settings, roles=("station_staff", "officer"), region="350102001"))
    assert principal == Principal(
        sub="u-1", name="林晓", roles=frozenset({Role.station_staff, Role.officer}), region="350102001"
    )


def test_claims(settings: Settings) -> None:
    claims = jwt.decode(token(settings), SECRET, algorithms=["HS256"], issuer=settings.jwt_issuer)
    assert claims["roles"] == ["officer"]
    assert claims["region"] == "350102"
    assert claims["iss"] == "vet-platform"
    assert claims["exp"] - claims["iat"] == settings.jwt_ttl_seconds


def test_region_is_stored_in_canonical_form(settings: Settings) -> None:
    assert decode_token(settings, token(settings, region="350100")).region == "3501"


def test_expired_token(settings: Settings) -> None:
    expired = token(settings, ttl_seconds=60, now=time.time() - 3600)
    with pytest.raises(AuthError, match="过期"):
        decode_token(settings, expired)


def test_a_remembered_token_still_expires(settings: Settings) -> None:
    token = issue_token(settings, sub="u1", name="A", roles=["officer"], region="35", ttl_seconds=60)
    assert decode_token(settings, token).sub == "u1"  # verified, and remembered
    later = time.time() + 60 + LEEWAY_SECONDS + 1
    with time_machine.travel(later, tick=False), pytest.raises(AuthError, match="expired"):
        decode_token(settings, token)
    with time_machine.travel(time.time() - 3600, tick=False), pytest.raises(AuthError, match="not yet valid"):
        decode_token(settings, token)


def test_small_clock_skew_is_tolerated(settings: Settings) -> None:
    just_expired = token(settings, ttl_seconds=60, now=time.time() - 65)
    assert decode_token(settings, just_expired).sub == "u-1"


def test_wrong_secret(settings: Settings) -> None:
    other = Settings(jwt_secret="another-secret-0123456789abcdef012345")
    with pytest.raises(AuthError, match="签名"):
        decode_token(settings, token(other))


def test_wrong_issuer(settings: Settings) -> None:
    other = Settings(jwt_secret=SECRET, jwt_issuer="someone-else")
    with pytest.raises(AuthError, match="issuer"):
        decode_token(settings, token(other))


def test_algorithm_none_is_refused(settings: Settings) -> None:
    claims = jwt.decode(token(settings), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(AuthError):
        decode_token(settings, unsigned)


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": ["officer"], "region": "99"},  # bad region
        {"roles": ["officer"]},  # no region
        {"roles": ["superuser"], "region": "35"},  # no known role
        {"region": "35"},  # no roles at all
    ],
)
def test_bad_claims_are_refused(settings: Settings, claims: dict[str, Any]) -> None:
    now = int(time.time())
    raw = jwt.encode(
        {"sub": "u", "iss": settings.jwt_issuer, "iat": now, "exp": now + 60, **claims},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(AuthError):
        decode_token(settings, raw)


def test_unknown_roles_are_skipped_when_a_known_one_is_present(settings: Settings) -> None:
    now = int(time.time())
    raw = jwt.encode(
        {
            "sub": "u",
            "iss": settings.jwt_issuer,
            "iat": now,
            "exp": now + 60,
            "roles": ["officer", "future"],
            "region": "35",
        },
        SECRET,
        algorithm="HS256",
    )
    assert decode_token(settings, raw).roles == frozenset({Role.officer})


def test_issue_refuses_bad_input(settings: Settings) -> None:
    with pytest.raises(ValueError, match="role"):
        token(settings, roles=("superuser",))
    with pytest.raises(ValueError, match="role"):
        token(settings, roles=())
    with pytest.raises(ValueError, match="12"):
        token(settings, region="9")


def test_dev_secret_cannot_sign_in_production() -> None:
    # Settings itself refuses the combination; a hand-built one must not get past issue_token either.
    with pytest.raises(ValueError, match="VET_JWT_SECRET"):
        Settings(env=Environment.production, jwt_secret=DEV_JWT_SECRET, cipher_key="x" * 44)
    sneaky = Settings.model_construct(
        env=Environment.production, jwt_secret="", jwt_issuer="vet-platform", jwt_ttl_seconds=60
    )
    with pytest.raises(AuthError, match="production"):
        token(sneaky)


def test_principal_helpers() -> None:
    officer = Principal(sub="u", name="n", roles=frozenset({Role.officer}), region="3501")
    assert officer.has_role(Role.officer)
    assert officer.has_role(Role.admin, Role.officer)
    assert not officer.has_role(Role.admin)
    assert officer.can_see("350102001001")
    assert not officer.can_see("350202001001")


# --- FastAPI ----------------------------------------------------------------------------------------

PEOPLE = [
    {"id": "a", "region": "350102001001"},
    {"id": "b", "region": "350103001001"},
    {"id": "c", "region": "350202001001"},
    {"id": "d", "region": "331121101201"},
]


def matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    """The subset of MongoDB's matching that `within` uses: equality with an element of an array field."""
    return all(value in region_keys(document["region"]) for value in query.values())


@pytest.fixture
def client(settings: Settings) -> TestClient:
    app = FastAPI()
    app.state.settings = settings

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"sub": principal.sub, "region": principal.region, "roles": sorted(principal.roles)}

    @app.get("/people")
    async def people(principal: CurrentPrincipal) -> list[str]:
        query = within(principal)
        return [person["id"] for person in PEOPLE if matches(person, query)]

    @app.post("/approvals", dependencies=[Depends(require_roles(Role.approver, Role.admin))])
    async def approve() -> dict[str, str]:
        return {"status": "approved"}

    return TestClient(app)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_missing_token_is_401_with_instructions(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "vet token" in response.json()["detail"]
    assert "令牌" in response.json()["detail"]


def test_other_schemes_are_401(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401


def test_invalid_token_is_401(client: TestClient, settings: Settings) -> None:
    response = client.get("/me", headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    expired = token(settings, ttl_seconds=1, now=time.time() - 3600)
    response = client.get("/me", headers=bearer(expired))
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_valid_token_is_200(client: TestClient, settings: Settings) -> None:
    response = client.get("/me", headers=bearer(token(settings)))
    assert response.status_code == 200
    assert response.json() == {"sub": "u-1", "region": "350102", "roles": ["officer"]}


def test_missing_role_is_403_naming_the_roles(client: TestClient, settings: Settings) -> None:
    response = client.post("/approvals", headers=bearer(token(settings, roles=("officer",))))
    assert response.status_code == 403
    assert "approver" in response.json()["detail"]
    assert "admin" in response.json()["detail"]


def test_role_requirement_checks_authentication_first(client: TestClient) -> None:
    assert client.post("/approvals").status_code == 401


def test_holder_of_a_required_role_gets_200(client: TestClient, settings: Settings) -> None:
    response = client.post("/approvals", headers=bearer(token(settings, roles=("officer", "approver"))))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("region", "visible"),
    [("35", ["a", "b", "c"]), ("3501", ["a", "b"]), ("350102", ["a"]), ("3311", ["d"]), ("4404", [])],
)
def test_jurisdiction_filter(client: TestClient, settings: Settings, region: str, visible: list[str]) -> None:
    response = client.get("/people", headers=bearer(token(settings, region=region)))
    assert response.status_code == 200
    assert response.json() == visible
