"""Benchmark: how long one enforcement document takes as PDF, against its HTML preview and against the
same PDF with automatic table layout (what the fixed column widths of document.css avoid).

    python bench/documents.py --runs 5 --answers 40     last line: pdf_s=<median per document> …

The documents are the test showcase (tests/integration/records_fixtures.py) fetched through the real
routes by a supervisor; a second record has `--answers` checklist answers with 100-character notes.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.documents.render import weasyprint  # noqa: E402
from sync.embedded import EmbeddedCouch  # noqa: E402
from tests.integration import records_fixtures as rf  # noqa: E402
from tests.integration.documents_env import module_app, signed_in  # noqa: E402


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def long_record(app, answers: int) -> str:
    world = rf.register_world(app, seed=21)
    keys = [f"hc-{n}" for n in range(1, 22)]
    phone = rf.phone_inspection(world, answers=[
        {"item": keys[n % len(keys)], "value": "no" if n % 4 else "yes", "photos": [],
         "note": f"第{n}项：" + "现场检查发现问题，已当场指出并要求限期整改。" * 5} for n in range(answers)])
    inspection = rf.file_inspection(app, world, phone)
    rf.approve(app, inspection, rf.record_number(40))
    return inspection["_id"].split(":", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=40)
    args = parser.parse_args()
    couch = EmbeddedCouch(Path(tempfile.mkdtemp())).start()
    try:
        with module_app(couch.url) as app:
            show = rf.showcase(app)
            client = signed_in(app, "supervisor", "370102")
            paths = {"record": show.inspection["_id"], "order": show.order["_id"], "opinion": show.cases[0]["_id"]}
            paths = {k: f"/console/documents/{k}/{v.split(':', 1)[1]}" for k, v in paths.items()}
            cold = timed(lambda: client.get(paths["record"] + ".pdf"))
            pdf = {k: statistics.median(timed(lambda: client.get(p + ".pdf")) for _ in range(args.runs))
                   for k, p in paths.items()}
            html = {k: statistics.median(timed(lambda: client.get(p + ".html")) for _ in range(args.runs))
                    for k, p in paths.items()}
            big = f"/console/documents/record/{long_record(app, args.answers)}"
            fixed = timed(lambda: client.get(big + ".pdf"))
            page = client.get(big + ".html").get_data(as_text=True).replace("table-layout: fixed;", "table-layout: auto;")
            html_class, fetcher_class = weasyprint()
            auto = timed(lambda: html_class(string=page, url_fetcher=fetcher_class(allowed_protocols=("data",))).write_pdf())
    finally:
        couch.stop()
    for kind in pdf:
        print(f"{kind}: pdf {pdf[kind]:.2f} s, html preview {html[kind] * 1000:.0f} ms")
    print(f"first pdf of the process (fonts loaded): {cold:.2f} s")
    print(f"{args.answers}-answer record: fixed layout {fixed:.2f} s, automatic layout {auto:.2f} s")
    print(f"pdf_s={statistics.median(pdf.values()):.2f} html_ms={statistics.median(html.values()) * 1000:.0f} "
          f"auto_layout_ratio={auto / fixed:.1f}")


if __name__ == "__main__":
    main()
