"""JWT bearer authentication for every service's API: roles, jurisdiction, FastAPI dependencies."""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vet_common.regions import InvalidRegion, is_within, validate_jurisdiction
from vet_common.settings import DEV_JWT_SECRET, Environment, Settings

ALGORITHM = "HS256"
# Issuer and services run on different machines; a little clock skew must not log people out.
LEEWAY_SECONDS = 30


class Role(StrEnum):
    station_staff = "station_staff"  # 服务站工作人员
    officer = "officer"  # 退役军人事务局
    approver = "approver"
    auditor = "auditor"
    admin = "admin"


class AuthError(Exception):
    """A token that cannot be trusted; the message says why and what to do."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, display name, roles and jurisdiction prefix (e.g. "350102")."""

    sub: str
    name: str
    roles: frozenset[Role]
    region: str

    def has_role(self, *roles: Role) -> bool:
        """True if the caller holds any of the given roles."""
        return not self.roles.isdisjoint(roles)

    def can_see(self, region_code: str) -> bool:
        return is_within(region_code, self.region)


def _roles(values: Iterable[str | Role]) -> frozenset[Role]:
    try:
        return frozenset(Role(value) for value in values)
    except ValueError as error:
        raise ValueError(f"unknown role ({error}); roles are {', '.join(Role)}") from None


def issue_token(
    settings: Settings,
    *,
    sub: str,
    name: str,
    roles: Iterable[str | Role],
    region: str,
    ttl_seconds: int | None = None,
    now: float | None = None,
) -> str:
    """A signed token. ValueError: unknown role or jurisdiction; AuthError: dev secret in production."""
    if settings.env is Environment.production and settings.effective_jwt_secret == DEV_JWT_SECRET:
        # Settings already refuses this; a hand-built Settings must not slip through either.
        raise AuthError("the development JWT secret cannot sign tokens when VET_ENV=production")
    if not sub:
        raise ValueError("sub is required")
    role_set = _roles(roles)
    if not role_set:
        raise ValueError(f"at least one role is required; roles are {', '.join(Role)}")
    issued_at = int(now if now is not None else time.time())
    claims = {
        "sub": sub,
        "name": name,
        "roles": sorted(role_set),
        "region": validate_jurisdiction(region),
        "iss": settings.jwt_issuer,
        "iat": issued_at,
        "exp": issued_at + (settings.jwt_ttl_seconds if ttl_seconds is None else ttl_seconds),
    }
    return jwt.encode(claims, settings.effective_jwt_secret, algorithm=ALGORITHM)


_EXPIRED = "登录已过期，请重新登录 (token expired: get a new one)"


def decode_token(settings: Settings, token: str) -> Principal:
    principal, valid_from, valid_until = _verified(settings.effective_jwt_secret, settings.jwt_issuer, token)
    # The time checks again on every use: a remembered token must still be within its validity (as PyJWT has it).
    now = time.time()
    if valid_until <= now - LEEWAY_SECONDS:
        raise AuthError(_EXPIRED)
    if valid_from > now + LEEWAY_SECONDS:
        raise AuthError("令牌尚未生效，请检查时钟 (token not yet valid: check the clock)")
    return principal


# Checking a signature and the claims costs more than the rest of a small request (about 0.1 ms); a session
# sends one token with every request, so a token once verified is remembered (by its exact text, under
# this secret and issuer). A refused token is not remembered, so it is checked afresh each time.
@lru_cache(maxsize=4096)
def _verified(secret: str, issuer: str, token: str) -> tuple[Principal, float, float]:
    """The principal of a valid token, and when it is valid from and until."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # pinned: never let the token choose its own algorithm
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["sub", "iss", "iat", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError(_EXPIRED) from None
    except jwt.InvalidIssuerError:
        raise AuthError("令牌不是本平台签发的 (token issuer is not this platform)") from None
    except jwt.InvalidSignatureError:
        raise AuthError(
            "令牌签名无效，请重新登录 (token signature invalid: it was signed with another secret)"
        ) from None
    except jwt.InvalidTokenError as error:
        raise AuthError(f"令牌无效，请重新登录 (invalid token: {error})") from None
    # Unknown roles are skipped, not fatal: a newer issuer may know roles this service does not.
    roles = frozenset(Role(value) for value in claims.get("roles") or [] if value in Role.__members__)
    if not roles:
        raise AuthError("令牌中没有有效角色，请联系管理员 (token carries no known role)")
    try:
        region = validate_jurisdiction(str(claims.get("region", "")))
    except InvalidRegion as error:
        raise AuthError(f"令牌中的辖区无效 (token region is invalid): {error}") from None
    principal = Principal(sub=str(claims["sub"]), name=str(claims.get("name", "")), roles=roles, region=region)
    valid_from = max(float(claims["iat"]), float(claims.get("nbf") or claims["iat"]))
    return principal, valid_from, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False, description="JWT from the identity provider; `vet token` in development")

_MISSING_TOKEN = (
    "登录已失效或未提供令牌，请重新登录 (no bearer token: send 'Authorization: Bearer <token>'; "
    "in development get one with `uv run vet token --sub S --role R --region CODE`)"
)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> Principal:
    """The caller, from the bearer token; 401 with a message saying what to do otherwise."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, _MISSING_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is None:
        raise RuntimeError("app.state.settings is not set; the app factory must set it before serving")
    try:
        principal = decode_token(settings, credentials.credentials)
    except AuthError as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            str(error),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    request.state.principal = principal  # for access logs and metrics
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


_ROLE_CHECKS: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()


def is_role_check(call: Callable[..., Any]) -> bool:
    """True for a dependency made by require_roles (it answers 403: the OpenAPI document says so)."""
    try:
        return call in _ROLE_CHECKS
    except TypeError:  # not weakly referenceable, so not one of ours
        return False


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting callers with any of `roles`; others get 403 naming the roles needed."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    needed = ", ".join(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"您的账号没有此操作的权限，需要以下角色之一：{needed} (requires one of the roles: {needed})",
            )
        return principal

    dependency.__name__ = "require_" + "_or_".join(roles)
    _ROLE_CHECKS.add(dependency)
    return dependency
