"""Enforcement documents (执法文书) rendered from the records: 现场检查记录, 责令限期整改指令书, 整改复查意见书.

Pure context builders (`record`, `order`, `opinion`) turn the source documents (`sources`) into plain
dictionaries; one Jinja template per kind (server/templates/documents/) serves the HTML preview and the
PDF (`render`, WeasyPrint). Numbers are read from the source documents, never taken here.
"""
from __future__ import annotations

import logging

from flask import Flask

from server.documents import authorities


def init_app(app: Flask) -> None:
    from server.documents.views import bp
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per step of every render
    app.extensions["doc_authorities"] = authorities.parse(app.config.get("DOC_AUTHORITIES", ""))
    app.register_blueprint(bp)
    from server.documents.render import keep_together
    app.add_template_filter(keep_together, "keep_together")
