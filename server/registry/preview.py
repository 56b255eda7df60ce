"""What an import would do, row by row (issue 17): create / update with the changed fields / unchanged /
error, and the counts, all in rows. The dry run answers this before anything is written; the real import
counts the same way. At most PREVIEW_ROWS rows and problems are listed; the counts cover every row.
"""
from __future__ import annotations

from server.registry.importer import _VOLATILE

PREVIEW_ROWS = 200


def changed_fields(doc: dict, before: dict) -> list[str]:
    """Fields whose value differs (a site's prefixed `site.`), bookkeeping fields aside."""
    prefix = "site." if doc.get("type") == "site" else ""
    keys = (set(doc) | set(before)) - set(_VOLATILE) - {"_id", "_rev", "import_id"}
    return sorted(prefix + k for k in keys if doc.get(k) != before.get(k))


def _row_changes(docs: list[dict], previous: dict, lines: dict[str, int]) -> tuple[set[int], dict[int, list]]:
    created, updated = set(), {}
    for doc in docs:
        line, before = lines.get(doc["_id"]), previous.get(doc["_id"])
        if before is None:
            created.add(line)
        else:
            updated.setdefault(line, []).extend(changed_fields(doc, before))
    return created, updated


def outcome(rows: list[tuple[int, dict]], docs: list[dict], previous: dict, lines: dict[str, int],
            problems: list[dict]) -> dict:
    """{dry_run, counts: {rows, create, update, unchanged, error}, preview: [...], problems, problem_count}."""
    errors: dict[int, list[dict]] = {}
    for problem in problems:
        errors.setdefault(problem["line"], []).append(problem)
    created, updated = _row_changes(docs, previous, lines)
    counts = {"rows": len(rows), "create": 0, "update": 0, "unchanged": 0, "error": 0}
    preview = []
    for line, _row in rows:
        if line in errors:
            item = {"line": line, "action": "error", "errors": errors[line][:10]}
        elif line in created:
            item = {"line": line, "action": "create"}
        elif line in updated:
            item = {"line": line, "action": "update", "fields": sorted(set(updated[line]))}
        else:
            item = {"line": line, "action": "unchanged"}
        counts[item["action"]] += 1
        if len(preview) < PREVIEW_ROWS:
            preview.append(item)
    return {"dry_run": True, "counts": counts, "preview": preview, "problems": problems[:PREVIEW_ROWS],
            "problem_count": len(problems)}
