"""现场处理措施决定书 (on-site measures decision, numbered 应急现决): issued in the console from an inspection
and some of its hazards, with the measures 安全生产法 第六十五条第一款 allows on the spot; printed by
server/documents (kind `decision`), signed on screen (server/signing)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.decisions.console import bp
    app.register_blueprint(bp)
