"""The major-hazard database (重大事故隐患数据库, issue 15 item 6): every major hazard by source, grade and
state; 挂牌督办 at a level; 函告/通报/约谈/曝光 recorded against the case; statistics and exports; the
optional public list of supervised cases."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from server.majors import console, pages
    console.init_app(app)
    pages.init_app(app)
