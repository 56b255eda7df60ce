"""Charts as inline SVG made on the server (pure): the console's CSP allows no script, and no library is needed.

Every text that reaches the SVG is escaped (names come from the registers). Each chart has a <title> and
an aria label, and the same figures are in the table beside it.
"""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = {"inspections": "#2b6cb0", "general": "#d69e2e", "major": "#c53030", "closed": "#2f855a",
           "rate": "#1a202c"}
WIDTH = 720
FONT = 12


def _text(x: float, y: float, text, anchor: str = "start", size: int = FONT, fill: str = "#2d3748") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")


def _rect(x: float, y: float, w: float, h: float, colour: str, tip) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(tip)}</title></rect>")


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _svg(height: float, title: str, body: list[str], css: str) -> Markup:
    return Markup(f'<svg class="chart {escape(css)}" role="img" aria-label="{escape(title)}" '
                  f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" xmlns="http://www.w3.org/2000/svg">'
                  f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _legend(y: float, series: list[tuple[str, str]]) -> list[str]:
    parts, x = [], 8.0
    for key, name in series:
        parts += [f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{COLOURS[key]}"/>',
                  _text(x + 16, y, name)]
        x += 28 + sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in name)  # CJK full width, Latin ~0.6
    return parts


def bars(title: str, rows: list[tuple[str, dict]], series: list[tuple[str, str]], css: str = "bars") -> Markup:
    """Horizontal stacked bars, one per row: `rows` [(label, {series key: value})], `series` [(key, name)]."""
    label_w, bar_h, gap, top = 150, 16, 6, 26
    largest = max([sum(v.get(k, 0) or 0 for k, _ in series) for _, v in rows] + [1])
    scale = (WIDTH - label_w - 60) / largest
    body = _legend(16, series)
    for index, (label, values) in enumerate(rows):
        y = top + index * (bar_h + gap)
        body.append(_text(label_w - 6, y + bar_h - 4, _short(label), anchor="end"))
        x = float(label_w)
        for key, name in series:
            value = values.get(key, 0) or 0
            body.append(_rect(x, y, value * scale, bar_h, COLOURS[key], f"{label} · {name}: {value}"))
            x += value * scale
        body.append(_text(x + 4, y + bar_h - 4, sum(values.get(k, 0) or 0 for k, _ in series)))
    return _svg(top + max(len(rows), 1) * (bar_h + gap) + 8, title, body, css)


def columns(title: str, labels: list[str], values: dict[str, list[int]], series: list[tuple[str, str]],
            rate: tuple[str, list] | None = None, css: str = "columns") -> Markup:
    """Side-by-side columns per period, one colour per series; `rate` (name, [0..1 or None]) as a line on a
    0-100 % scale at the right."""
    left, right, top, bottom, height = 40, 44, 30, 24, 240
    plot_h, slot = height - top - bottom, (WIDTH - left - right) / max(len(labels), 1)
    largest = max([v for key, _ in series for v in values.get(key, []) if v is not None] + [1])
    width = slot * 0.8 / max(len(series), 1)
    body = _legend(16, series + ([("rate", rate[0])] if rate else []))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" stroke="#a0aec0"/>')
    body.append(_text(left - 4, top + 4, largest, anchor="end", size=10))
    for index, label in enumerate(labels):
        x = left + index * slot + slot * 0.1
        for offset, (key, name) in enumerate(series):
            value = (values.get(key) or [0] * len(labels))[index] or 0
            h = plot_h * value / largest
            body.append(_rect(x + offset * width, top + plot_h - h, width, h, COLOURS[key],
                              f"{label} · {name}: {value}"))
        body.append(_text(left + (index + 0.5) * slot, height - 8, label, anchor="middle", size=10))
    if rate:
        body += _rate_line(rate, left, top, plot_h, slot)
    return _svg(height, title, body, css)


def _rate_line(rate: tuple[str, list], left: float, top: float, plot_h: float, slot: float) -> list[str]:
    name, shares = rate
    points = [(left + (i + 0.5) * slot, top + plot_h * (1 - share)) for i, share in enumerate(shares)
              if share is not None]
    parts = [_text(WIDTH - 4, top + 4, "100%", anchor="end", size=10)]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS["rate"]}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS["rate"]}"><title>{escape(name)}: '
                  f'{share * 100:.1f}%</title></circle>'
                  for (x, y), share in zip(points, [s for s in shares if s is not None])]
    return parts
