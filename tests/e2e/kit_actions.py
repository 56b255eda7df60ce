"""What an inspector's hands do in the field kit, for the e2e tests: answer items, take photos, sign; and
what is on the phone (its PouchDB), read back for comparison with the server."""
from __future__ import annotations

import base64

from tests.e2e.fieldkit_helpers import jpeg_file

PASSING_TEXT = "消防安全责任人：赵经理；已落实逐级消防安全责任制。"


def _passing_number(card) -> float:
    low, high = card.get_attribute("data-min"), card.get_attribute("data-max")
    if low:
        return float(low) + 5 if not high else (float(low) + float(high)) / 2
    return float(high) - 1 if high else 1


def answer_item(page, key: str, value=None, photo_seed: int | None = None):
    """Answer one item (a passing answer unless `value` is given); take its photo when one is required."""
    card = page.locator(f"[data-t=item][data-item='{key}']")
    kind, needs_photo = card.get_attribute("data-kind"), card.get_attribute("data-photo-required")  # read first:
    # a failed major item leaves for its hazard as soon as it is answered
    if kind in ("yes_no_na", "pass_fail"):
        value = value or ("yes" if kind == "yes_no_na" else "pass")
        # click, not check(): a failed major item leaves for its hazard before a check could be confirmed
        card.locator(f"input[value={value}]").click()
    elif kind == "number":
        value = _passing_number(card) if value is None else value
        card.locator("input[type=number]").fill(str(value))
        card.locator("input[type=number]").press("Tab")
    else:
        value = value or PASSING_TEXT
        card.locator("textarea").first.fill(value)
        card.locator("textarea").first.press("Tab")
    if photo_seed is not None and needs_photo and value != "na":
        card.locator("[data-t=photo-input]").set_input_files(jpeg_file(photo_seed))
        page.wait_for_selector(f"[data-t=item][data-item='{key}'][data-photos='1']")
    return value


def answer_all(page, failing: dict | None = None, photos_from: int = 100) -> dict:
    """Answer every item of the open record; the `failing` ones last (a failed major item opens its hazard)."""
    failing = failing or {}
    keys = page.eval_on_selector_all("[data-t=item]", "cards => cards.map(c => c.dataset.item)")
    answers = {}
    for n, key in enumerate([k for k in keys if k not in failing] + list(failing)):
        value = answer_item(page, key, failing.get(key), photo_seed=photos_from + n)
        page.wait_for_function("([k]) => { const c = document.querySelector(`[data-t=item][data-item='${k}']`);"
                               " return !c || c.dataset.answer !== ''; }", arg=[key])
        answers[key] = value
    return answers


def draw_signature(page) -> None:
    box = page.locator("[data-t=pad]").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15))
    page.mouse.up()


def phone_docs(page, inspector_id: str) -> list[dict]:
    """The phone's own documents (inspections, hazards, photos) as its PouchDB holds them."""
    return page.evaluate("""async (db) => {
      const local = new PouchDB('fk_' + db);
      const rows = (await local.allDocs({include_docs: true})).rows.map(r => r.doc);
      return rows.filter(d => ['inspection', 'hazard', 'photo'].includes(d.type));
    }""", "inspector_" + inspector_id.split(":")[1])


def photo_bytes(page, inspector_id: str, photo_id: str) -> bytes:
    data = page.evaluate("""async ([db, id]) => {
      const blob = await new PouchDB('fk_' + db).getAttachment(id, 'photo.jpg');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = ''; for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    }""", ["inspector_" + inspector_id.split(":")[1], photo_id])
    return base64.b64decode(data)


def check_in_typed(page, task: dict, reason: str = "摄像头故障，手工输入场所编码") -> None:
    """Check in with the typed site code (a phone without a camera), giving the reason the kit asks for."""
    page.click(f"[data-t=task][data-task='{task['_id']}']")
    page.click("[data-t=checkin-button]")
    page.wait_for_selector("input[name=site_code]")
    page.fill("input[name=site_code]", task["site"].split(":")[1] + "-" + task["site"].split(":")[2])
    page.click("form.typed button[type=submit]")
    page.wait_for_selector("[data-t=warnings]", timeout=20_000)
    page.fill("textarea[name=override_reason]", reason)
    page.click("[data-t=go-on]")
    page.wait_for_selector("body[data-screen=inspection]")


def sign_all(page, slots=("inspector-1", "inspector-2", "manager")) -> None:
    for slot in slots:
        page.click(f"[data-t=signer][data-slot={slot}] button")
        page.wait_for_selector("[data-t=pad]")
        draw_signature(page)
        page.click("[data-t=pad] ~ .actions button.primary")
        page.wait_for_selector("body[data-screen=inspection]")


def finish_record(page, task: dict, manager: str = "赵经理") -> dict:
    """A whole record on the phone: typed check-in, every item passing (photos where required), signed, finished."""
    check_in_typed(page, task)
    page.fill("input[name=manager-name]", manager)
    page.press("input[name=manager-name]", "Tab")
    answers = answer_all(page)
    sign_all(page)
    page.click("[data-t=finish-button]")
    page.wait_for_selector("[data-t=tag].finished")
    return answers
