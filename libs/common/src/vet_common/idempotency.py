"""`Idempotency-Key` on every POST: the same key and body again gets the first answer, never a second effect.

A client that lost the answer to a POST (a dropped connection at a village station) sends it again with the
same key. The key is reserved in the service's own event store before the command runs and the answer is
recorded after it, so two concurrent requests with one key cannot both run. If the process dies between the
two, the key stays reserved and answers 409: the caller checks what happened instead of doing it twice.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vet_common.domain import derived_id

log = logging.getLogger(__name__)

HEADER = "idempotency-key"
HEADER_BYTES = HEADER.encode()
MAX_KEY_LENGTH = 200
# Answers to creating commands are small JSON bodies; a larger one is not kept (the command still ran once).
MAX_KEPT_BODY = 64 * 1024


class IdempotencyClaim(Aggregate):
    """One caller's use of one key: what was asked (a hash) and what was answered."""

    @staticmethod
    def create_id(service: str, caller: str, key: str) -> UUID:
        return derived_id("vet.idempotency", service, caller, key)

    @event("Reserved")
    def __init__(self, *, service: str, caller: str, key: str, fingerprint: str) -> None:
        self.caller = caller
        self.fingerprint = fingerprint
        self.state = "reserved"
        self.answer: dict[str, Any] | None = None

    @event("Answered")
    def record_answer(self, status: int, content_type: str, body: str) -> None:
        self.state = "answered"
        self.answer = {"status": status, "content_type": content_type, "body": body}

    @event("Released")
    def release(self) -> None:
        """The request failed on the server's side: the same key may be tried again."""
        self.state = "released"

    @event("ReservedAgain")
    def reserve_again(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.state = "reserved"
        self.answer = None


def _refusal(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=409)


KEY_REUSED = (
    "该请求编号（Idempotency-Key）已用于另一项不同的提交，请换一个编号 "
    "(this Idempotency-Key was used for a different request: use a new key)"
)
STILL_RUNNING = (
    "同一请求编号的提交正在处理或曾中断，请先查看是否已办理成功 "
    "(a request with this Idempotency-Key is in progress or was interrupted: check its result before retrying)"
)


class IdempotencyMiddleware:
    """Plain ASGI: POSTs with an Idempotency-Key header, from a caller with a valid token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Header names arrive lower-cased (ASGI); scanning them is cheaper than building Headers for every call.
        raw = b""
        if scope["type"] == "http" and scope["method"] == "POST":
            raw = next((value for name, value in scope["headers"] if name == HEADER_BYTES), b"")
        key = raw.decode("latin-1").strip()
        if not key:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if len(key) > MAX_KEY_LENGTH:
            await JSONResponse(
                {"detail": [{"field": "Idempotency-Key", "message": f"最长 {MAX_KEY_LENGTH} 个字符 (too long)"}]},
                status_code=422,
            )(scope, receive, send)
            return
        caller = _caller(scope, headers)
        if caller is None:  # no valid token: the route answers 401 and nothing is recorded
            await self.app(scope, receive, send)
            return
        body, receive = await _buffered(receive)
        fingerprint = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        state = scope["app"].state
        claims = _Claims(state.application, state.settings.service)
        claim_id = IdempotencyClaim.create_id(state.settings.service, caller, key)
        earlier = await asyncio.to_thread(claims.reserve, caller, key, fingerprint)
        if earlier is not None:
            await earlier(scope, receive, send)
            return
        await self._run_and_record(scope, receive, send, claims, claim_id)

    async def _run_and_record(
        self, scope: Scope, receive: Receive, send: Send, claims: _Claims, claim_id: UUID
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await asyncio.to_thread(claims.release, claim_id)
            raise
        status = int(start.get("status", 500))
        if status >= 500:
            await asyncio.to_thread(claims.release, claim_id)
            return
        content_type = Headers(raw=start.get("headers", [])).get("content-type", "application/json")
        await asyncio.to_thread(claims.answer, claim_id, status, content_type, b"".join(chunks))


class _Claims:
    def __init__(self, application: Any, service: str) -> None:
        self.application = application
        self.service = service

    def reserve(self, caller: str, key: str, fingerprint: str) -> Any:
        """None when this request may run; otherwise the response to give instead."""
        claim_id = IdempotencyClaim.create_id(self.service, caller, key)
        for _ in range(3):
            claim: IdempotencyClaim | None = self.application.get_or_none(claim_id)
            if claim is None:
                claim = IdempotencyClaim(service=self.service, caller=caller, key=key, fingerprint=fingerprint)
            elif claim.state == "released":
                claim.reserve_again(fingerprint)
            else:
                return self._earlier(claim, fingerprint)
            try:
                self.application.save(claim)
                return None
            except IntegrityError:
                continue  # another request with this key got there first: look again
        return _refusal(STILL_RUNNING)

    @staticmethod
    def _earlier(claim: IdempotencyClaim, fingerprint: str) -> Any:
        if claim.fingerprint != fingerprint:
            return _refusal(KEY_REUSED)
        if claim.state != "answered" or claim.answer is None:
            return _refusal(STILL_RUNNING)
        from starlette.responses import Response

        answer = claim.answer
        return Response(
            base64.b64decode(answer["body"]),
            status_code=answer["status"],
            media_type=answer["content_type"],
            headers={"Idempotent-Replayed": "true"},
        )

    def answer(self, claim_id: UUID, status: int, content_type: str, body: bytes) -> None:
        claim: IdempotencyClaim = self.application.repository.get(claim_id)
        kept = body if len(body) <= MAX_KEPT_BODY else b""
        claim.record_answer(status, content_type, base64.b64encode(kept).decode())
        self.application.save(claim)

    def release(self, claim_id: UUID) -> None:
        try:
            claim: IdempotencyClaim = self.application.repository.get(claim_id)
            claim.release()
            self.application.save(claim)
        except Exception:  # the key stays reserved (409 on retry): safe, never a second effect
            log.exception("could not release idempotency key %s", claim_id)


def _caller(scope: Scope, headers: Headers) -> str | None:
    from vet_common.auth import AuthError, decode_token

    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return decode_token(scope["app"].state.settings, token.strip()).sub
    except AuthError:
        return None


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body, and give the app a receive() that replays it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
