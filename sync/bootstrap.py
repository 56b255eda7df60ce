"""Creates the databases, indexes and security objects the system needs; safe to run again."""
from __future__ import annotations

import logging

from sync.couch import Couch

log = logging.getLogger(__name__)

DATABASES = ("registry", "records", "audit", "public")
# Only the server's admin credentials may read or write: browsers never reach CouchDB directly.
SECURITY = {"admins": {"names": [], "roles": ["_admin"]}, "members": {"names": [], "roles": ["_admin"]}}
INDEXES = {
    "registry": [
        (["type", "region"], "type-region"),
        (["type", "cert_no"], "type-cert"),
        (["type", "key", "version"], "type-key-version"),
    ],
}


def bootstrap(server: Couch, prefix: str = "") -> dict:
    """Make sure every database, index and security object exists. Returns what it created."""
    created = {"databases": [], "indexes": []}
    for name in DATABASES:
        full = prefix + name
        if server.create_db(full):
            created["databases"].append(full)
        db = server.db(full)
        if db.get_security() != SECURITY:
            db.put_security(SECURITY)
        for fields, index_name in INDEXES.get(name, []):
            res = db.create_index(fields, index_name, ddoc=f"idx-{index_name}")
            if res.get("result") == "created":
                created["indexes"].append(f"{full}/{index_name}")
    log.info("bootstrap: created %s", created)
    return created
