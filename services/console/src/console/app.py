"""The console's FastAPI app: sign-in, the page modules, and errors shown as pages in Chinese."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from console import signin
from console.clients import ApiRefused, ServiceUnavailable
from console.pages import PageModule, assistance, outreach, registry, reporting, workbench
from console.settings import ConsoleSettings
from console.web import CSRF_COOKIE, ConsoleRefused, CsrfFailed, NotSignedIn, render
from vet_common.settings import Environment, Settings

log = logging.getLogger(__name__)

MODULES: list[PageModule] = [workbench.module, registry.module, outreach.module, assistance.module, reporting.module]

NOT_FOUND = "未找到该页面或记录，或它不在您的辖区内"


def create_app(
    console_settings: ConsoleSettings | None = None,
    platform_settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`transport` replaces the network to the services (tests give a fake of their APIs)."""
    console_settings = console_settings or ConsoleSettings()
    platform_settings = platform_settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(
            transport=transport, timeout=console_settings.api_timeout_seconds, follow_redirects=False
        ) as http:
            app.state.http = http
            yield

    app = FastAPI(title="退役军人服务工作台", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console_settings = console_settings
    app.state.platform_settings = platform_settings
    app.state.modules = MODULES
    app.state.secure_cookies = (
        console_settings.cookie_secure
        if console_settings.cookie_secure is not None
        else platform_settings.env is Environment.production
    )
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(signin.router)
    for module in MODULES:
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "console"}

    @app.middleware("http")
    async def csrf_cookie(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        # Set when a page rendered a form for a browser that had no token yet.
        new = getattr(request.state, "new_csrf", None)
        if new and CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                CSRF_COOKIE, new, httponly=True, samesite="strict", secure=app.state.secure_cookies, path="/"
            )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    install_error_pages(app)
    return app


def install_error_pages(app: FastAPI) -> None:
    """Every failure is a page in Chinese that says what to do; never a stack trace."""

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, error: NotSignedIn) -> Response:
        return sign_in_again(request, expired=error.expired)

    @app.exception_handler(ConsoleRefused)
    async def refused(request: Request, error: ConsoleRefused) -> Response:
        return error_page(request, error.status, error.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, error: CsrfFailed) -> Response:
        return error_page(request, 403, "表单已失效（可能来自其他网站），请返回上一页刷新后重新提交")

    @app.exception_handler(ApiRefused)
    async def api_refused(request: Request, error: ApiRefused) -> Response:
        if error.status == 401:
            return sign_in_again(request, expired=True)
        if error.status == 404:
            return error_page(request, 404, NOT_FOUND, error.message())
        return error_page(request, error.status, error.message())

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, error: ServiceUnavailable) -> Response:
        log.warning("service unavailable: %s", error)
        return render(request, "unavailable.html", 503, error=error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return error_page(request, 404, NOT_FOUND)
        if error.status_code == 405:
            return error_page(request, 405, "不支持此操作，请从页面上的按钮进入")
        return error_page(request, error.status_code, "请求未被接受，请返回上一页重试")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        # A mistyped record id in a URL is a record that does not exist.
        return error_page(request, 404, NOT_FOUND)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> Response:
        log.exception("console page failed: %s %s", request.method, request.url.path)
        return error_page(request, 500, "系统出错了，请稍后重试；如果一直出错，请联系管理员")


def sign_in_again(request: Request, expired: bool = False) -> Response:
    target = f"/login?next={request.url.path}" + ("&expired=1" if expired else "")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status_code: int, message: str, detail: str = "") -> Response:
    titles = {403: "没有权限", 404: "未找到", 409: "操作冲突", 412: "记录已被修改", 413: "文件过大"}
    title = titles.get(status_code, "出错了" if status_code >= 500 else "未能完成")
    return render(
        request, "error.html", status_code, title=title, message=message, detail=detail if detail != message else ""
    )
