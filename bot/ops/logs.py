"""Logging set-up: quiet httpx (its URLs contain the token) and redact the token anyway."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

REDACTED = "<token>"
_TRACEBACKS = logging.Formatter()


class RedactFilter(logging.Filter):
    """Replace a secret wherever it appears in a formatted log message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message, traceback and stack in place; never drop a record."""
        if not self.secrets:
            return True
        message = record.getMessage()
        if self._leaks(message):
            record.msg, record.args = self._redact(message), None
        # An exception's text can quote a URL, and PTB's URLs contain the token. Formatters
        # reuse exc_text once it is set, so format it here, redacted.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text and self._leaks(record.exc_text):
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info and self._leaks(record.stack_info):
            record.stack_info = self._redact(record.stack_info)
        return True

    def _leaks(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(payload)


def setup_logging(level: str, *, secrets: list[str], as_json: bool = False) -> None:
    """Configure the root logger once, in main()."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactFilter(secrets))
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and PTB's URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
