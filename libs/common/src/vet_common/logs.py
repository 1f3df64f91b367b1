"""One logging format for every process, and no ID or phone number in any log line."""

from __future__ import annotations

import logging
import re

from vet_common.idnumber import mask_id_number, mask_phone

# An 18-character citizen ID number or an 11-digit mobile number, not inside a longer run of digits
# (a timestamp or an offset). A URL's query string is where they turn up: GET /persons?q=350102...
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match.group().upper()), text)
    return _MOBILE.sub(lambda match: mask_phone(match.group()), text)


class RedactPersonalData(logging.Filter):
    """Masks ID and phone numbers in a record's message and arguments before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        return True


REDACT = RedactPersonalData()
# uvicorn's access and error loggers write through their own handlers: filter at the loggers themselves.
REDACTED_LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    install_redaction()


def install_redaction() -> None:
    """Idempotent; call again after a server (uvicorn) configured its own loggers."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if REDACT not in logger.filters:
            logger.addFilter(REDACT)
        for handler in logger.handlers:
            if REDACT not in handler.filters:
                handler.addFilter(REDACT)
