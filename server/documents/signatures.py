"""Signatures on a document as captured on the phone: the image, a stated refusal, or a blank line (pure)."""
from __future__ import annotations

import base64
import io
import warnings

from PIL import Image

from server.documents.formatting import clean, date_cn, datetime_cn

MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIGNATURE_PIXELS = 2000 * 1000  # a signature pad makes ~1000 x 400
ROLE_LABELS = {"inspector": "执法人员", "manager": "被检查单位现场负责人", "witness": "见证人"}


def signature_image(data: bytes | None) -> str | None:
    """The PNG as a data: URI, its bytes untouched; None when it is not a PNG of sane size, so that a
    broken or hostile attachment is reported as unreadable rather than drawn."""
    if not data or len(data) > MAX_SIGNATURE_BYTES or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format != "PNG" or picture.width * picture.height > MAX_SIGNATURE_PIXELS:
                    return None
                picture.verify()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def signature_view(entry: dict | None, images: dict[str, bytes], role: str, name: str = "") -> dict:
    """What goes in one signer's place. `state` is signed (image), refused (stated with its note and
    time), unreadable (an attachment that is named but cannot be shown) or missing (a blank line)."""
    view = {"role": role, "role_label": ROLE_LABELS.get(role, ""), "name": clean(name, 50),
            "state": "missing", "image": None, "at": "", "date": "", "note": "", "statement": ""}
    if not isinstance(entry, dict):
        return view
    view.update(name=clean(entry.get("name"), 50) or view["name"], at=datetime_cn(entry.get("at")),
                date=date_cn(entry.get("at")))
    if entry.get("_state") == "void":  # signed other content (server/documents/signed.py): never printed as signed
        view.update(state="void", statement=void_text(view, entry.get("refused") is True))
        return view
    if entry.get("refused") is True:
        view.update(state="refused", note=clean(entry.get("refusal_note"), 300))
        view["statement"] = refusal_text(view)
        return view
    attachment = entry.get("attachment")
    if isinstance(attachment, str) and attachment:
        image = signature_image(images.get(attachment))
        view.update(state="signed" if image else "unreadable", image=image)
    return view


def refusal_text(view: dict) -> str:
    """The statement printed in a refusing signer's place (安全生产法 第六十八条: recorded, not blocking)."""
    who = view["name"] or view["role_label"]
    text = f"{who}拒绝签字"
    if view["at"]:
        text = f"{who}于{view['at']}拒绝签字"
    if view["note"]:
        text += f"（说明：{view['note']}）"
    return text + "。"


def void_text(view: dict, refused: bool) -> str:
    who = view["name"] or view["role_label"]
    what = "拒签记录" if refused else "签名"
    when = f"于{view['at']}" if view["at"] else ""
    return f"{who}{when}的{what}已失效：签名后记录内容已更改，尚未重新签名。"


def by_role(signatures, role: str) -> list[dict]:
    return [s for s in signatures or [] if isinstance(s, dict) and s.get("signer") == role]


def inspector_places(signatures, team: list[dict], images: dict[str, bytes]) -> list[dict]:
    """One place per inspector of the team (matched by name), then any other inspector signature the
    phone captured; an inspector without a signature gets a blank line, never someone else's image."""
    captured = by_role(signatures, "inspector")
    places = []
    for person in team:
        match = next((s for s in captured if clean(s.get("name"), 50) == person["name"]), None)
        if match is not None:
            captured.remove(match)
        places.append({**signature_view(match, images, "inspector", person["name"]),
                       "cert_no": person.get("cert_no", "")})
    places.extend({**signature_view(s, images, "inspector"), "cert_no": ""} for s in captured)
    return places


def single_place(signatures, role: str, images: dict[str, bytes], name: str = "") -> dict:
    """The manager's or witness's place: the last captured entry for that role (a re-sign replaces)."""
    entries = by_role(signatures, role)
    return signature_view(entries[-1] if entries else None, images, role, name)


def signers(inspectors: list[dict], others: list[tuple[str, dict]]) -> list[dict]:
    """The places in print order, each with the label its document gives it (执法人员 first)."""
    return [{**p, "label": "执法人员"} for p in inspectors] + [{**p, "label": label} for label, p in others]
