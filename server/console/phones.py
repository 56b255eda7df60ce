"""Names people read for the phones' databases (the status page's backlog per phone).

A phone's database is named after its inspector's register key (server/gateway/rules.py); that name is an
internal code, so the page shows whose phone it is instead. /healthz keeps the database names (machines)."""
from __future__ import annotations

from i18n import t
from server.db import registry

PREFIX = "inspector_"


def phone_labels(db_names) -> dict[str, str]:
    """{database name: "张伟的手机"} for every name given; a database whose inspector is not (or no longer)
    in the register is said to be so, rather than shown by its code."""
    ids = {name: "inspector:" + name[len(PREFIX):] for name in db_names if name.startswith(PREFIX)}
    people = registry().docs_by_id(sorted(set(ids.values()))) if ids else {}
    labels = {}
    for name in db_names:
        person = people.get(ids.get(name, ""))
        labels[name] = t("ui.health.phone_of", name=person["name"]) if person and person.get("name") \
            else t("ui.health.phone_unknown")
    return labels
