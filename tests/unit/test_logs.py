"""LOG_FORMAT=json: one JSON object per line, exceptions included, Chinese kept readable."""
import json
import logging

from server.logs import JsonFormatter


def test_json_lines_carry_time_level_logger_message_and_exception():
    record = logging.LogRecord("server.x", logging.ERROR, __file__, 1, "归档失败 %s", ("inspection:1",), None)
    try:
        raise ValueError("bad")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR" and entry["logger"] == "server.x"
    assert entry["message"] == "归档失败 inspection:1" and "ValueError: bad" in entry["exception"]
    assert entry["time"].endswith("+00:00")
