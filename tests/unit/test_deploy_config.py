"""The production configuration in deploy/: rendering, refusal of unsafe values, and the offline checks."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from deploy import check, render

SECRETS = {"COUCH_UUID": "a" * 32, "COUCH_SECRET": "s3cret", "COUCH_ADMIN_PASSWORD": "pw"}


def test_render_writes_every_file_with_settings_applied(tmp_path):
    env = {**SECRETS, "SERVER_NAME": "aq.jinan.gov.cn", "SYNC_LONGPOLL_S": "40", "SYNC_MAX_DOC_MB": "8"}
    paths = render.render(env, tmp_path)
    assert sorted(p.name for p in paths) == sorted(render.OUTPUTS.values())
    site = (tmp_path / "inspection.conf").read_text()
    assert "server_name aq.jinan.gov.cn;" in site
    assert "proxy_read_timeout 60s;" in site and "proxy_request_buffering on;" in site
    # The long poll's read timeout outlasts SYNC_LONGPOLL_S.
    sync_block = site.split("location /sync/ {", 1)[1].split("}", 1)[0]
    assert "proxy_read_timeout 75s;" in sync_block and "proxy_buffering off;" in sync_block
    ini = (tmp_path / "couchdb-node.ini").read_text()
    assert "max_document_size = 8388608" in ini and "single_node = false" in ini
    assert "admin = pw" in ini
    assert "${" not in site + ini


def test_render_refuses_missing_cluster_secrets(tmp_path):
    with pytest.raises(render.RenderError, match="COUCH_SECRET"):
        render.render({"COUCH_UUID": "x", "COUCH_ADMIN_PASSWORD": "y"}, tmp_path)


@pytest.mark.parametrize("value", ["evil.example;\n include /etc/passwd", "a}b", 'x" always'])
def test_render_refuses_values_that_would_inject_directives(tmp_path, value):
    with pytest.raises(render.RenderError, match="SERVER_NAME"):
        render.render({**SECRETS, "SERVER_NAME": value}, tmp_path)


def test_render_command_says_what_is_missing(tmp_path):
    done = subprocess.run([".venv/bin/python", "-m", "deploy.render", str(tmp_path)], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and "COUCH_UUID" in done.stderr


needs_nginx = pytest.mark.skipif(not shutil.which("nginx"), reason="make test installs nginx (make nginx)")


@needs_nginx
def test_deploy_check_passes_on_the_shipped_configuration():
    assert check.run({}) == []


@needs_nginx
def test_deploy_check_fails_on_a_broken_upstream():
    problems = check.run({"UPSTREAM": "127.0.0.1:notaport"})
    assert problems and problems[0].startswith("nginx -t")


def test_gunicorn_control_socket_is_off_unless_a_path_is_given(monkeypatch, tmp_path):
    import runpy
    # The settings file names the metrics directory in the environment: keep it this test's own.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    conf = runpy.run_path("deploy/gunicorn.conf.py")
    assert conf["control_socket_disable"] is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/inspection/gunicorn.ctl")
    conf = runpy.run_path("deploy/gunicorn.conf.py")
    assert conf["control_socket"] == "/run/inspection/gunicorn.ctl" and conf["control_socket_disable"] is False
