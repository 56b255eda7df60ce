"""Signatures captured on screen in the console (a signature pad) for the 责令限期整改指令书, the
整改复查意见书 and the 现场处理措施决定书: the enterprise's recipient and the inspectors sign, or a refusal is
recorded; each entry is kept with the document's version and content hash and printed on its PDF."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.signing.views import bp
    app.register_blueprint(bp)
