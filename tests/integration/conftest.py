"""Integration fixtures: users of each role and region, signed in through the real API."""
from __future__ import annotations

import pytest

from server.accounts import store
from server.db import registry

PASSWORD = "correct horse battery 9"


class Session:
    """A test client signed in as one user, sending the CSRF token like the console does."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        self.username = username
        res = self.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                               headers={"X-CSRFToken": self._csrf()})
        assert res.status_code == 200, res.get_json()
        self.csrf = res.get_json()["csrf_token"]

    def _csrf(self) -> str:
        return self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]

    def __getattr__(self, method):
        call = getattr(self.client, method)

        def send(*args, **kwargs):
            kwargs.setdefault("headers", {}).setdefault("X-CSRFToken", self.csrf)
            return call(*args, **kwargs)
        return send


@pytest.fixture
def make_user(app):
    def create(username: str, role: str, region: str = "370100", **extra) -> dict:
        with app.app_context():
            return store.create_user(registry(), {"username": username, "role": role, "region": region,
                                                  "display_name": username, "password": PASSWORD, **extra})
    return create


@pytest.fixture
def login(app, make_user):
    def as_user(role: str, region: str = "370100", username: str | None = None) -> Session:
        name = username or f"{role}{region}"
        with app.app_context():
            if store.get_user(registry(), name) is None:
                make_user(name, role, region)
        return Session(app, name)
    return as_user
