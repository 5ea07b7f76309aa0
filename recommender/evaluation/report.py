"""Write evaluation results: a Markdown table, the JSON object, and a bar chart drawn with PIL.

The chart needs no plotting library: horizontal bars of one metric per system with their 95%
interval as a whisker, and optional dashed reference lines (published figures).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["bar_chart", "crs_markdown", "table", "write_json"]

# Chart geometry, in pixels.
_WIDTH = 900
_ROW = 30
_LEFT = 190  # room for the system names
_RIGHT = 70
_TOP = 50
_BOTTOM = 40
_BAR = {"magpie": (31, 119, 180)}  # the app's own path stands out; others are grey
_OTHER = (150, 150, 150)
_ABLATION = (200, 200, 200)
_REFERENCE = (214, 39, 40)


def fmt(value: object, ci: Sequence[float] | None = None) -> str:
    """A figure with its interval: ``0.213 (0.197-0.229)``.

    >>> fmt(0.2134, [0.197, 0.2291]), fmt(414)
    ('0.213 (0.197-0.229)', '414')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    text = str(value) if isinstance(value, int) else f"{value:.3f}"
    if ci:
        text += f" ({ci[0]:.3f}-{ci[1]:.3f})"
    return text


def table(
    rows: Mapping[str, Mapping[str, Any]], columns: Sequence[str], first: str = "system"
) -> str:
    """A Markdown table, one row per system, every column with its interval when present.

    >>> print(table({"pop": {"recall@10": 0.1, "ci95": {"recall@10": [0.09, 0.11]}}}, ["recall@10"]))
    | system | R@10 |
    |---|---|
    | pop | 0.100 (0.090-0.110) |
    """
    heads = [
        c.replace("recall@", "R@")
        .replace("ndcg@", "NDCG@")
        .replace("mrr@", "MRR@")
        .replace("p@", "P@")
        .replace("popularity_share", "popularity share")
        .replace("ild", "ILD")
        for c in columns
    ]
    lines = [f"| {first} | " + " | ".join(heads) + " |", "|---|" + "---|" * len(columns)]
    for name, row in rows.items():
        ci = row.get("ci95", {})
        cells = [fmt(row.get(c), ci.get(c)) for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def crs_markdown(result: Mapping[str, Any]) -> str:
    systems = result["systems"]
    main = {k: v for k, v in systems.items() if not k.startswith("magpie-")}
    ablated = {k: v for k, v in systems.items() if k == "magpie" or k.startswith("magpie-")}
    cov = result["coverage"]
    parts = [
        f"# Conversational recommendation: {result['dataset']}, {result['split']} split",
        "",
        f"{result['n_turns']} turns, {result['n_targets']} ground-truth items; "
        f"{result['condition']}. 95% intervals: bootstrap over dialogues.",
        f"Candidates: {cov['items']} items, {cov['in_catalogue']} in the bundled catalogue, "
        f"{cov['with_metadata']} with Wikidata metadata. Tables learned from: "
        + "; ".join(result["tables"])
        + ".",
        "",
        table(main, result["metrics"]),
        "",
        *_beyond(main, result),
        "## Ablations (the app's fusion minus one signal)",
        "",
        table(ablated, result["metrics"]),
        "",
        "Weights: "
        + ", ".join(f"{k} {v:g}" for k, v in sorted(result["weights"].items()))
        + f"; MMR lambda {result['mmr_lambda']:g}. {result['seconds']} s.",
    ]
    return "\n".join(parts) + "\n"


def _beyond(systems: Mapping[str, Mapping[str, Any]], result: Mapping[str, Any]) -> list[str]:
    """Coverage, diversity, novelty and popularity of each system's top 10 (beyond.py)."""
    columns = list(result.get("beyond", []))
    rows = {k: v for k, v in systems.items() if any(c in v for c in columns)}
    if not rows:
        return []
    return [
        "## Beyond accuracy (each system's top 10)",
        "",
        "Coverage: the share of the catalogue that ever reaches a top 10; ILD: mean pairwise "
        "distance (1 - cosine) of a top 10 in the item text vectors; novelty: mean "
        "self-information by mentions, -log2((mentions + 1) / (all + items)); popularity share: "
        "the share of a top 10 among the catalogue's 2% most-mentioned items.",
        "",
        table(rows, columns),
        "",
    ]


def write_json(path: Path, result: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def bar_chart(
    path: Path,
    systems: Mapping[str, Mapping[str, Any]],
    metric: str,
    title: str,
    references: Mapping[str, float] | None = None,
) -> None:
    """Horizontal bars of ``metric`` with 95% whiskers; ``references`` as dashed vertical lines."""
    from PIL import Image, ImageDraw, ImageFont

    references = dict(references or {})
    names = list(systems)
    highs = [systems[n].get("ci95", {}).get(metric, [0, 0])[1] for n in names]
    top = max([*highs, *references.values(), 1e-6])
    scale_max = min(1.0, _nice(top * 1.1))
    height = _TOP + _BOTTOM + _ROW * len(names) + (18 * len(references))
    image = Image.new("RGB", (_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    small = ImageFont.load_default(size=12)
    plot = _WIDTH - _LEFT - _RIGHT

    def x(value: float) -> float:
        return _LEFT + plot * value / scale_max

    draw.text((10, 12), title, fill="black", font=font)
    for tick in range(6):
        value = scale_max * tick / 5
        draw.line(
            [(x(value), _TOP - 5), (x(value), _TOP + _ROW * len(names))], fill=(230, 230, 230)
        )
        draw.text(
            (x(value) - 12, _TOP + _ROW * len(names) + 4), f"{value:.2f}", fill="black", font=small
        )
    for row, name in enumerate(names):
        y = _TOP + row * _ROW
        value = float(systems[name].get(metric, 0.0))
        colour = _BAR.get(name, _ABLATION if name.startswith("magpie-") else _OTHER)
        draw.rectangle([(x(0), y + 5), (x(value), y + _ROW - 5)], fill=colour)
        low, high = systems[name].get("ci95", {}).get(metric, [value, value])
        mid = y + _ROW // 2
        draw.line([(x(low), mid), (x(high), mid)], fill="black", width=2)
        for end in (low, high):
            draw.line([(x(end), mid - 5), (x(end), mid + 5)], fill="black", width=2)
        draw.text((10, y + 7), name, fill="black", font=font)
        draw.text((x(max(high, value)) + 6, y + 7), f"{value:.3f}", fill="black", font=small)
    legend_y = _TOP + _ROW * len(names) + 24
    for n, (label, value) in enumerate(references.items()):
        for y in range(_TOP - 5, _TOP + _ROW * len(names), 8):
            draw.line([(x(value), y), (x(value), y + 4)], fill=_REFERENCE, width=2)
        draw.text(
            (_LEFT, legend_y + 18 * n), f"- - {label}: {value:.3f}", fill=_REFERENCE, font=small
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


def _nice(value: float) -> float:
    """The next round axis end above ``value``.

    >>> _nice(0.27), _nice(0.61), _nice(0.02)
    (0.3, 0.7, 0.05)
    """
    step = 0.05 if value <= 0.3 else 0.1
    return round(step * -(-value // step), 4)
