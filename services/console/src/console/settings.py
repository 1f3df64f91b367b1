"""The console's settings: VET_CONSOLE_* for its own, plus the platform's VET_ENV and VET_JWT_SECRET."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from vet_common.settings import DEFAULT_API_PORTS, SERVICES

CONSOLE_PORT = 8100


class ConsoleSettings(BaseSettings):
    """Where the services are, how people sign in, how the session cookie is set."""

    model_config = SettingsConfigDict(env_prefix="VET_CONSOLE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = CONSOLE_PORT
    # Each service's API base URL; the defaults are `make up`'s ports.
    registry_url: str = f"http://127.0.0.1:{DEFAULT_API_PORTS['registry']}"
    outreach_url: str = f"http://127.0.0.1:{DEFAULT_API_PORTS['outreach']}"
    assistance_url: str = f"http://127.0.0.1:{DEFAULT_API_PORTS['assistance']}"
    reporting_url: str = f"http://127.0.0.1:{DEFAULT_API_PORTS['reporting']}"
    # Seconds to wait for a service before telling the user it is unavailable.
    api_timeout_seconds: float = 10.0

    # Production sign-in through the department's OpenID Connect provider (authorization-code flow).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # Where the provider sends the browser back; empty: this console's /login/callback as the browser reached it.
    oidc_redirect_url: str = ""
    # The development sign-in page (pick a user, role and region) is never offered when VET_ENV=production.
    # Cookies only over HTTPS; on by default in production.
    cookie_secure: bool | None = None

    def service_url(self, service: str) -> str:
        if service not in SERVICES:
            raise KeyError(service)
        return str(getattr(self, f"{service}_url")).rstrip("/")

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)
