"""Field kit e2e helpers: an inspection team, tasks dispatched to its phones, a phone-sized browser, the worker."""
from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image

from server import clock
from tests.e2e.helpers import PASSWORD, PHONE, SUPERVISOR, Api, create_user, site_url

# A fix a few metres from the seeded sites' registered point (117.05, 36.66), and one 2 km away.
ON_SITE = {"latitude": 36.66003, "longitude": 117.05004, "accuracy": 8}
FAR_AWAY = {"latitude": 36.678, "longitude": 117.05, "accuracy": 10}
CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@dataclass
class Member:
    username: str
    inspector_id: str
    name: str


def make_team(live, tag: str, size: int = 2) -> list[Member]:
    """Inspectors in the register (name, certificate, unit) with field accounts, through the real API."""
    api = Api(live.url, SUPERVISOR)
    members = []
    try:
        for n in range(size):
            name = ["李明", "张华", "王芳"][n] + tag
            res = api.http.post("/api/v1/inspectors", json={
                "name": name, "cert_no": f"37010{uuid.uuid4().int % 10**8:08d}", "unit": "济南市应急管理局",
                "region": "370102", "sectors": ["machinery", "hazardous_chemicals", "light_industry"]})
            assert res.status_code == 201, res.text
            username = f"fk{tag.lower()}{n}{uuid.uuid4().hex[:4]}"
            create_user(live.app, username, "inspector", "370102", display_name=name, inspector_id=res.json()["id"])
            members.append(Member(username, res.json()["id"], name))
    finally:
        api.close()
    return members


def dispatch(live, team: list[Member], count: int = 1, enterprise: int = 0, window=None, checklist=None) -> list[dict]:
    """`count` dispatched tasks for the team at one seeded enterprise's main site, written to their phones."""
    from server.db import registry
    from server.plans.dispatch import dispatch_tasks
    seeded = live.enterprises[enterprise]
    today = clock.today().isoformat()       # the field kit's "today" is China's, whatever the machine's zone
    window = window or {"start": today, "end": today}
    plan = {"_id": f"plan:{uuid.uuid4().hex[:16]}", "type": "plan", "name": "2026年第四季度双随机抽查"}
    tasks = []
    for n in range(1, count + 1):
        tasks.append({"_id": f"{plan['_id'].replace('plan:', 'task:')}:{n:05d}", "type": "task", "plan": plan["_id"],
                      "year": int(today[:4]), "enterprise": seeded["uscc"], "enterprise_name": seeded["name"],
                      "region": seeded["region"], "site": f"site:{seeded['uscc']}:01", "tier": "黄",
                      "random": True, "counts_toward_cap": True, "inspectors": [m.inspector_id for m in team],
                      "experts": [], "window": window, "status": "dispatched",
                      "checklist": checklist or "checklist:fire_major_gb35181:v1"})
    with live.app.app_context():
        registry().bulk_docs(tasks)
        dispatch_tasks(tasks, plan)
    return tasks


def phone_context(browser, geolocation=ON_SITE, **options):
    """A phone-sized context allowed to locate itself, at `geolocation`."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", geolocation=geolocation,
                                  permissions=["geolocation", "camera"], is_mobile=True, has_touch=True, **options)
    context.set_default_timeout(15_000)
    return context


def open_kit(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Open the field kit, sign in, and wait for the task list."""
    page.goto(base_url + "/app/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("[data-t=tasks-today]")


def wait_sw_ready(page) -> None:
    """The service worker has installed and controls the page, so the shell is cached for offline use."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000)


def qr_camera_file(directory: Path, payload: str) -> Path:
    """A .y4m video (what Chromium's fake camera plays) showing the QR code of `payload`."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(payload)
    code.make(fit=True)
    qr = code.make_image().convert("L")
    frame = Image.new("L", (640, 480), 255)
    side = min(440, qr.size[0])
    frame.paste(qr.resize((side, side)), ((640 - side) // 2, (480 - side) // 2))
    ycbcr = frame.convert("RGB").convert("YCbCr")
    y, cb, cr = ycbcr.split()
    planes = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    path = directory / f"qr-{uuid.uuid4().hex[:6]}.y4m"
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + planes)
    return path


def camera_browser(launch, camera_file: Path):
    """Chromium with `camera_file` as its camera (the flags are per browser, not per context)."""
    return launch(*CAMERA_ARGS, f"--use-file-for-fake-video-capture={camera_file}")


def jpeg_file(seed: int, size=(2400, 1800)) -> dict:
    """A camera-sized JPEG with some structure, as Playwright's set_input_files takes it."""
    img = Image.new("RGB", size, (40 + seed * 20 % 200, 90, 140))
    for x in range(0, size[0], 60):
        for y in range(0, size[1], 60):
            img.putpixel((x, y), (255, (x * seed) % 255, y % 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return {"name": f"IMG_{seed:04d}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def run_worker_until(app, predicate, timeout: float = 60) -> None:
    """Run the worker's passes until `predicate()` holds (never a bare sleep)."""
    from sync.worker.__main__ import build
    deadline = time.monotonic() + timeout
    with app.app_context():
        worker = build(app)
    while time.monotonic() < deadline:
        with app.app_context():
            worker.run_once()
            if predicate():
                return
        time.sleep(0.3)
    raise AssertionError("the worker did not reach the expected state in time")


def signed_qr(live, enterprise: int = 0) -> str:
    return site_url(live.app, live.enterprises[enterprise]["uscc"])
