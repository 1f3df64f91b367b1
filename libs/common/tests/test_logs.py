"""No ID or phone number reaches a log line, whichever logger writes it."""

from __future__ import annotations

import logging

import pytest

from vet_common.idnumber import make_id_number
from vet_common.logs import install_redaction, redact

ID_NUMBER = make_id_number("350102", __import__("datetime").date(1981, 3, 15), 7, "male")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /persons?q={ID_NUMBER} HTTP/1.1", f"GET /persons?q={ID_NUMBER[:6]}********{ID_NUMBER[-4:]} HTTP/1.1"),
        ("GET /persons?q=11010519491231002x", "GET /persons?q=110105********002X"),
        ("phone=13812345678&x=1", "phone=138****5678&x=1"),
        ("offset 1796116572123456789012 stays", "offset 1796116572123456789012 stays"),
        ("event 6f1c2a56-3f0e-4d55-9a63-0f3f4c7a1e11", "event 6f1c2a56-3f0e-4d55-9a63-0f3f4c7a1e11"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_uvicorn_access_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/persons?q={ID_NUMBER}", "1.1", 200
        )
    assert ID_NUMBER not in caplog.text
    assert f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}" in caplog.text
