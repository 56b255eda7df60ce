"""Log lines as text for a person, or one JSON object per line for a log collector (LOG_FORMAT=json)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

TEXT_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class JsonFormatter(logging.Formatter):
    """time (UTC, ISO-8601), level, logger, message, and the exception's text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str = "text") -> None:
    """Set the root handler's format once (basicConfig leaves an existing handler alone)."""
    logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    if fmt == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per CouchDB request is noise
