"""Configuration from the environment: one documented list (.env.example), checked at start-up."""
from __future__ import annotations

import json
import os
import re
from datetime import timedelta


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


class Config:
    """Settings read once from the environment. Names match .env.example."""

    def __init__(self, env: dict | None = None):
        env = os.environ if env is None else env
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.COUCHDB_URL = env.get("COUCHDB_URL", "")
        self.DB_PREFIX = env.get("DB_PREFIX", "")
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        self.QR_KEYS = env.get("QR_KEYS", "")
        self.QR_ACTIVE_KEY = env.get("QR_ACTIVE_KEY", "")
        self.SESSION_HOURS = _int(env, "SESSION_HOURS", 12)
        self.TOKEN_DAYS = _int(env, "TOKEN_DAYS", 30)
        # Seconds a process remembers who a token or session belongs to (0 = ask CouchDB every request).
        self.AUTH_CACHE_S = _int(env, "AUTH_CACHE_S", 30)
        # While the registry's change feed is followed (a read a second per process), another process's
        # change applies within about a second, and an answer is kept this long (server/accounts/cache.py).
        self.AUTH_CACHE_FOLLOW = env.get("AUTH_CACHE_FOLLOW", "1") == "1"
        self.AUTH_CACHE_FOLLOWED_S = _int(env, "AUTH_CACHE_FOLLOWED_S", 600)
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        # Sign-in attempts per address and per user, counted for every login endpoint and process here.
        self.LOGIN_LIMIT_DB = env.get("LOGIN_LIMIT_DB", "var/login-limits.sqlite")
        # Argon2 hashes computed at once per process, and how long a sign-in waits for a place (then 429).
        self.PASSWORD_HASH_CONCURRENCY = _int(env, "PASSWORD_HASH_CONCURRENCY", 1)
        self.PASSWORD_HASH_WAIT_S = _int(env, "PASSWORD_HASH_WAIT_S", 3)
        self.PASSWORD_HASH_QUEUE = _int(env, "PASSWORD_HASH_QUEUE", 4)
        self.IMPORT_MAX_MB = _int(env, "IMPORT_MAX_MB", 20)
        # Longest an import may spend reading and checking its file (seconds); then it stops, writing nothing.
        self.IMPORT_MAX_S = _int(env, "IMPORT_MAX_S", 120)
        # An import journal still `writing` after this long belongs to a process that died: roll it back.
        self.IMPORT_STALE_S = _int(env, "IMPORT_STALE_S", 900)
        self.COUCH_Q_LARGE = _int(env, "COUCH_Q_LARGE", 0)
        # 一公开 deadline after the end of a check (e.g. Fujian 20 days, Henan 7): a per-jurisdiction setting.
        self.PUBLISH_DEADLINE_DAYS = _int(env, "PUBLISH_DEADLINE_DAYS", 20)
        self.PUBLISH_DEADLINE_UNIT = env.get("PUBLISH_DEADLINE_UNIT", "working")
        # "Different people each time": a draw avoids the team that visited an enterprise this many days back.
        self.AVOID_REPEAT_DAYS = _int(env, "AVOID_REPEAT_DAYS", 365)
        # 执法证 expiring within this many days are flagged on the inspectors page (expired ones are not drawn).
        self.CERT_WARN_DAYS = _int(env, "CERT_WARN_DAYS", 30)
        # Workload cap: open tasks a person may hold per 30 days of a plan's period off leave (0 = no cap).
        self.WORKLOAD_MAX_TASKS_PER_MONTH = _int(env, "WORKLOAD_MAX_TASKS_PER_MONTH", 0)
        # Warn on /console/status and /healthz this many days before the holiday calendar runs out (a
        # deadline past its last known year cannot be counted in working days).
        self.CALENDAR_WARN_DAYS = _int(env, "CALENDAR_WARN_DAYS", 90)
        # Phones: closed work is removed after PHONE_KEEP_DAYS; a phone database stays under PHONE_DOC_BUDGET.
        self.PHONE_KEEP_DAYS = _int(env, "PHONE_KEEP_DAYS", 30)
        self.PHONE_DOC_BUDGET = _int(env, "PHONE_DOC_BUDGET", 5000)
        self.PHONE_PURGE_EVERY_S = _int(env, "PHONE_PURGE_EVERY_S", 600)
        # The worker's sweep of every inspector database, in seconds: the safety net behind notifications.
        self.WORKER_POLL_S = _int(env, "WORKER_POLL_S", 2)
        # Every inspector database is checked (one GET each, a slice per pass) at least once in this many s.
        self.WORKER_SWEEP_S = _int(env, "WORKER_SWEEP_S", 60)
        # Document numbers: region code → short name used in (济南)应急检记〔2026〕1号 (JSON). A region not
        # listed uses its name without 市/区/县.
        self.DOC_REGION_SHORTS = env.get("DOC_REGION_SHORTS", "{}")
        # Overdue hazards are escalated by the worker at most this often (seconds).
        self.ESCALATE_EVERY_S = _int(env, "ESCALATE_EVERY_S", 3600)
        # A signature image (PNG) on an inspection record may be at most this large.
        self.SIGNATURE_MAX_KB = _int(env, "SIGNATURE_MAX_KB", 512)
        # The worker's notification socket (a local datagram socket): the gateway names each database a
        # phone wrote to, and the worker files it at once. Empty: no notifications, the sweep finds changes.
        self.WORKER_NOTIFY_SOCKET = env.get("WORKER_NOTIFY_SOCKET", "")
        # How often (seconds, per server process) a phone's "last seen / last sent" time is written down.
        self.PHONE_SEEN_EVERY_S = _int(env, "PHONE_SEEN_EVERY_S", 300)
        # The list of phones (status page, /metrics) is read at most this often per process (seconds).
        self.PHONE_LIST_CACHE_S = _int(env, "PHONE_LIST_CACHE_S", 15)
        # /metrics: the bearer token of the bureau's scraper (admins signed in may read it too); a phone
        # counts as unseen after this many days. LOG_FORMAT=json writes one JSON object per log line.
        self.METRICS_TOKEN = env.get("METRICS_TOKEN", "")
        self.PHONES_UNSEEN_DAYS = _int(env, "PHONES_UNSEEN_DAYS", 3)
        self.LOG_FORMAT = env.get("LOG_FORMAT", "text")
        # Sync gateway (/sync/...): request body caps, and how long a long poll of _changes may wait.
        self.SYNC_MAX_BODY_MB = _int(env, "SYNC_MAX_BODY_MB", 20)
        self.SYNC_MAX_ATTACHMENT_MB = _int(env, "SYNC_MAX_ATTACHMENT_MB", 12)
        self.SYNC_MAX_DOC_MB = _int(env, "SYNC_MAX_DOC_MB", 8)
        self.SYNC_LONGPOLL_S = _int(env, "SYNC_LONGPOLL_S", 25)
        # A long poll of a phone database known quiet waits in this process, not in CouchDB, while CouchDB's
        # _db_updates feed is followed (server/gateway/board.py); what CouchDB last answered is trusted this
        # many seconds at most. SYNC_BOARD=0 sends every long poll to CouchDB.
        self.SYNC_BOARD = env.get("SYNC_BOARD", "1") == "1"
        self.SYNC_BOARD_TRUST_S = _int(env, "SYNC_BOARD_TRUST_S", 120)
        # What one sync request may cost CouchDB (server/gateway/limits.py): ids per _revs_diff, _bulk_get,
        # _all_docs and keys; documents per _bulk_docs; MB of a _revs_diff/_bulk_get/_all_docs body; JSON
        # nesting of any body (checked again by the worker, which sets aside a deeper document).
        self.SYNC_MAX_IDS = _int(env, "SYNC_MAX_IDS", 500)
        self.SYNC_MAX_DOCS = _int(env, "SYNC_MAX_DOCS", 200)
        self.SYNC_MAX_READ_MB = _int(env, "SYNC_MAX_READ_MB", 2)
        self.SYNC_MAX_JSON_DEPTH = _int(env, "SYNC_MAX_JSON_DEPTH", 32)
        # The worker's heartbeat (seconds); /healthz and the status page say "failing" when it is older than
        # WORKER_STALE_S (the worker died or is stuck) or the oldest waiting change older than WORKER_LAG_S.
        self.WORKER_HEARTBEAT_S = _int(env, "WORKER_HEARTBEAT_S", 5)
        self.WORKER_STALE_S = _int(env, "WORKER_STALE_S", 60)
        self.WORKER_LAG_S = _int(env, "WORKER_LAG_S", 300)
        # /healthz counts the waiting changes live, at most this often per server process (seconds).
        self.HEALTH_BACKLOG_CACHE_S = _int(env, "HEALTH_BACKLOG_CACHE_S", 15)
        # Long polls one account may have waiting at once (per process); the excess is answered 429 at once.
        self.SYNC_LONGPOLLS_PER_ACCOUNT = _int(env, "SYNC_LONGPOLLS_PER_ACCOUNT", 4)
        # The gateway's pipe signs in to CouchDB with a session cookie, renewed this often (seconds; keep it
        # under CouchDB's [chttpd_auth] timeout, 600 by default). 0: the password with every request.
        self.COUCH_SESSION_RENEW_S = _int(env, "COUCH_SESSION_RENEW_S", 240)
        # Field kit: photos are downsized on the phone to this long edge (px) and JPEG quality (1-100);
        # documents per replication batch (photos go one document each); cap of the retry back-off.
        self.FIELDKIT_PHOTO_LONG_EDGE = _int(env, "FIELDKIT_PHOTO_LONG_EDGE", 1600)
        self.FIELDKIT_PHOTO_QUALITY = _int(env, "FIELDKIT_PHOTO_QUALITY", 82)
        self.FIELDKIT_SYNC_BATCH = _int(env, "FIELDKIT_SYNC_BATCH", 20)
        self.FIELDKIT_RETRY_MAX_S = _int(env, "FIELDKIT_RETRY_MAX_S", 30)
        # Enforcement documents: issuing bureau and appeal bodies per region (JSON; defaults from the region
        # table: …应急管理局, …人民政府, …人民法院). See server/documents/authorities.py.
        self.DOC_AUTHORITIES = env.get("DOC_AUTHORITIES", "")
        # Document PDFs (server/documents/pdf_guard.py): cache directory and size, renderings at once per
        # process and waiting, longest rendering (s), largest document text (characters).
        self.PDF_CACHE_DIR = env.get("PDF_CACHE_DIR", "var/pdf-cache")
        self.PDF_CACHE_MB = _int(env, "PDF_CACHE_MB", 200)
        self.PDF_CONCURRENCY = _int(env, "PDF_CONCURRENCY", 1)
        self.PDF_QUEUE = _int(env, "PDF_QUEUE", 4)
        self.PDF_TIMEOUT_S = _int(env, "PDF_TIMEOUT_S", 60)
        self.PDF_MAX_CHARS = _int(env, "PDF_MAX_CHARS", 150000)
        # Statistics answers kept per process until `records` changes (0 = ask the views every time).
        self.STATS_CACHE_ENTRIES = _int(env, "STATS_CACHE_ENTRIES", 256)
        # How often (ms) a process asks whether `records` changed; statistics are at most this much older.
        self.STATS_SEQ_CHECK_MS = _int(env, "STATS_SEQ_CHECK_MS", 1000)
        # On a CouchDB cluster an answer is also recomputed after this many seconds: a view read from a copy
        # that lagged must not be remembered until the next write (server/stats/cache.py).
        self.STATS_CLUSTER_CACHE_S = _int(env, "STATS_CLUSTER_CACHE_S", 10)
        # How long (s) one statistics view query may take. pouchdb-server reduces every row on each query
        # (no stored reductions): at 100,000 inspections a first answer took 19-74 s and failed at the
        # general 30 s CouchDB timeout; Apache CouchDB answers in milliseconds.
        self.STATS_QUERY_TIMEOUT_S = _int(env, "STATS_QUERY_TIMEOUT_S", 300)
        # Audit log (docs/decisions/0011): HMAC keys "kid:base64url-secret,…" kept outside CouchDB (every key
        # verifies, the active one signs; empty = a key derived from SECRET_KEY), where signed checkpoints go
        # and how often each process writes one.
        self.AUDIT_KEYS = env.get("AUDIT_KEYS", "")
        self.AUDIT_ACTIVE_KEY = env.get("AUDIT_ACTIVE_KEY", "")
        self.AUDIT_CHECKPOINT_DIR = env.get("AUDIT_CHECKPOINT_DIR", "var/audit-checkpoints")
        self.AUDIT_CHECKPOINT_EVERY_S = _int(env, "AUDIT_CHECKPOINT_EVERY_S", 300)
        # Public reports (举报, server/reports/): the reporters' identity key file (AES-256-GCM keys, one
        # "kid:base64url" per line, the last one encrypts; never in CouchDB; made under var/ when missing for
        # `make run` and tests), submissions and receipt look-ups per address, the proof-of-work difficulty
        # (leading zero bits) and lifetime, photos per report and their size, and the duplicate window.
        self.REPORTER_KEY_FILE = env.get("REPORTER_KEY_FILE", "var/reporter.key")
        self.REPORT_LIMIT_DB = env.get("REPORT_LIMIT_DB", "var/report-limits.sqlite")
        self.REPORT_RATE_LIMIT = env.get("REPORT_RATE_LIMIT", "10 per hour;30 per day")
        self.REPORT_STATUS_RATE_LIMIT = env.get("REPORT_STATUS_RATE_LIMIT", "30 per hour")
        self.REPORT_POW_BITS = _int(env, "REPORT_POW_BITS", 16)
        self.REPORT_POW_TTL_S = _int(env, "REPORT_POW_TTL_S", 7200)
        self.REPORT_MAX_PHOTOS = _int(env, "REPORT_MAX_PHOTOS", 4)
        self.REPORT_PHOTO_MAX_MB = _int(env, "REPORT_PHOTO_MAX_MB", 5)
        self.REPORT_DUPLICATE_DAYS = _int(env, "REPORT_DUPLICATE_DAYS", 30)
        # The region (6-digit code) whose districts the standalone form (/report) offers to choose from.
        self.REPORT_REGION_ROOT = env.get("REPORT_REGION_ROOT", "370100")
        # HTTPS: secure cookies and HSTS (seconds; 0 = no header), both on by default when PUBLIC_BASE_URL is
        # https:// (production); HSTS is sent only on requests that came over HTTPS.
        https = self.PUBLIC_BASE_URL.startswith("https://")
        self.HSTS_SECONDS = _int(env, "HSTS_SECONDS", 31536000 if https else 0)
        # JSON request bodies nested deeper than this are refused with 400 before parsing.
        self.JSON_MAX_DEPTH = _int(env, "JSON_MAX_DEPTH", 64)
        # A password set by someone else (an admin, the demo loader) must be changed at first sign-in;
        # 0 lets the demo city's generated accounts skip that.
        self.PASSWORD_CHANGE_REQUIRED = env.get("PASSWORD_CHANGE_REQUIRED", "1") == "1"
        # The public list of major hazards under 挂牌督办 at /public/majors (issue 15): off unless set to 1.
        self.PUBLIC_MAJORS_LIST = env.get("PUBLIC_MAJORS_LIST", "0") == "1"
        # Idempotency-Key answers are kept this many hours (a client retrying later gets a new request).
        self.IDEMPOTENCY_HOURS = _int(env, "IDEMPOTENCY_HOURS", 24)
        # 举报奖励 scale, grade → [min, max] yuan (JSON); empty = server/reports/rewards.py DEFAULT_SCALE.
        self.REPORT_REWARD_SCALE = env.get("REPORT_REWARD_SCALE", "")
        # Default: on when the public address is https:// (production), off for http://127.0.0.1.
        self.SESSION_COOKIE_SECURE = env.get("SESSION_COOKIE_SECURE", "1" if https else "0") == "1"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_HOURS)
        self.SESSION_COOKIE_HTTPONLY = True
        # The cookie is written only when the session changes. Re-sending it on every response let a slow
        # answer (the service worker precaching the field kit) put back a session read before a newer one
        # (with the CSRF token) was written, and CSRF then failed. The lifetime is counted from sign-in
        # (server/accounts/guard.py), so a sliding cookie bought nothing.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.MAX_CONTENT_LENGTH = (self.IMPORT_MAX_MB + 1) * 1024 * 1024
        self.WTF_CSRF_CHECK_DEFAULT = False  # checked in auth for cookie sessions only
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.TESTING = False
        # flask-smorest / OpenAPI
        self.API_TITLE = "Field inspection API (安全生产执法检查)"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"

    def check(self) -> None:
        """Refuse to start with settings that are missing or unsafe, saying which."""
        missing = [n for n in ("SECRET_KEY", "COUCHDB_URL", "QR_KEYS", "QR_ACTIVE_KEY") if not getattr(self, n)]
        if missing:
            raise ConfigError("missing settings: " + ", ".join(missing)
                              + " (see .env.example; `make run` fills them in for the embedded default)")
        if len(self.SECRET_KEY) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters")
        if not 0 <= self.AVOID_REPEAT_DAYS <= 3660:
            raise ConfigError("AVOID_REPEAT_DAYS must be between 0 and 3660")
        if self.PUBLISH_DEADLINE_UNIT not in ("working", "calendar"):
            raise ConfigError("PUBLISH_DEADLINE_UNIT must be 'working' or 'calendar'")
        if not 320 <= self.FIELDKIT_PHOTO_LONG_EDGE <= 8000:
            raise ConfigError("FIELDKIT_PHOTO_LONG_EDGE must be between 320 and 8000 pixels")
        if not 30 <= self.FIELDKIT_PHOTO_QUALITY <= 100:
            raise ConfigError("FIELDKIT_PHOTO_QUALITY must be between 30 and 100")
        if not 1 <= self.FIELDKIT_SYNC_BATCH <= 500 or not 1 <= self.FIELDKIT_RETRY_MAX_S <= 3600:
            raise ConfigError("FIELDKIT_SYNC_BATCH must be 1-500 and FIELDKIT_RETRY_MAX_S 1-3600")
        _check_shorts(self.DOC_REGION_SHORTS)
        from server.reports.rewards import parse_scale   # the one parser of the scale, also used per request
        try:
            parse_scale(getattr(self, "REPORT_REWARD_SCALE", ""))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if len(self.WORKER_NOTIFY_SOCKET.encode()) > 100:
            raise ConfigError("WORKER_NOTIFY_SOCKET must be a path of at most 100 bytes (a Unix socket's limit); "
                              "use a shorter directory such as /run/fieldinspect/worker.sock")
        if min(self.SYNC_MAX_IDS, self.SYNC_MAX_DOCS) < self.FIELDKIT_SYNC_BATCH:
            raise ConfigError("SYNC_MAX_IDS and SYNC_MAX_DOCS must be at least FIELDKIT_SYNC_BATCH (the field kit "
                              "sends that many documents per request)")
        if not 8 <= self.SYNC_MAX_JSON_DEPTH <= 500:
            raise ConfigError("SYNC_MAX_JSON_DEPTH must be between 8 and 500")
        if not 1 <= self.WORKER_HEARTBEAT_S < self.WORKER_STALE_S:
            raise ConfigError("WORKER_HEARTBEAT_S must be at least 1 and less than WORKER_STALE_S")
        if self.WORKER_POLL_S < 1:
            raise ConfigError("WORKER_POLL_S must be at least 1 (seconds between the worker's sweeps)")
        _check_audit_keys(self.AUDIT_KEYS, self.AUDIT_ACTIVE_KEY)
        if not 4 <= self.REPORT_POW_BITS <= 28 or not 60 <= self.REPORT_POW_TTL_S <= 86400:
            raise ConfigError("REPORT_POW_BITS must be 4-28 and REPORT_POW_TTL_S 60-86400")
        if not 0 <= self.REPORT_MAX_PHOTOS <= 10 or not 1 <= self.REPORT_PHOTO_MAX_MB <= 20:
            raise ConfigError("REPORT_MAX_PHOTOS must be 0-10 and REPORT_PHOTO_MAX_MB 1-20")
        if self.REPORT_MAX_PHOTOS * self.REPORT_PHOTO_MAX_MB > self.IMPORT_MAX_MB:
            # the edge (deploy/edge.py) and nginx refuse any body over IMPORT_MAX_MB + 1 before the app sees it
            raise ConfigError("REPORT_MAX_PHOTOS x REPORT_PHOTO_MAX_MB must not exceed IMPORT_MAX_MB")
        if not self.COUCHDB_URL.startswith(("http://", "https://")):
            raise ConfigError("COUCHDB_URL must be an http(s) URL, e.g. http://admin:pw@127.0.0.1:5984")

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}


def _check_shorts(raw) -> None:
    try:
        shorts = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise ConfigError(f"DOC_REGION_SHORTS must be JSON, e.g. {{\"370100\": \"济南\"}}: {exc}") from exc
    if not isinstance(shorts, dict) or not all(
            isinstance(k, str) and re.fullmatch(r"[1-9]\d{5}", k) and isinstance(v, str) and 0 < len(v) <= 20
            for k, v in shorts.items()):
        raise ConfigError("DOC_REGION_SHORTS must map 6-digit region codes to short names of 1-20 characters")


def _check_audit_keys(spec: str, active: str) -> None:
    if not spec:
        return
    from i18n import Problem
    from server.qr.signing import parse_keys
    try:
        keys = parse_keys(spec)
    except Problem as exc:
        raise ConfigError(f"AUDIT_KEYS: {exc.message('en')}") from exc
    if active and active not in keys:
        raise ConfigError(f"AUDIT_ACTIVE_KEY {active!r} is not one of the AUDIT_KEYS")
