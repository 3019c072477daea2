"""Cohort plots drawn with matplotlib (object API, Agg canvas: no pyplot state, no display) and embedded as
base64 PNG data URIs. PNG metadata is stripped so the page carries no URL, not even matplotlib's. Labels from
user files (definition titles) are drawn as plain text: matplotlib's mathtext never reads ``$...$`` in them."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .cohort import Rate

INK, ACCENT, MUTED = "#1f2933", "#c0392b", "#7b8794"
DPI = 110


@dataclass(frozen=True)
class Plot:
    id: str
    title: str
    uri: str  # data:image/png;base64,...
    alt: str


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=9)


def to_data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _shorten(label: str, width: int = 44) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def rate_plot(rates: list[Rate]) -> Plot | None:
    """Malignant / (malignant + benign) per group, with the Wilson 95% interval; groups without outcome skipped."""
    shown = [r for r in rates if r.known]
    if not shown:
        return None
    fig = _figure(7.0, 0.9 + 0.45 * len(shown))
    ax = fig.add_subplot()
    ys = list(range(len(shown)))[::-1]
    for y, r in zip(ys, shown):
        lo, hi = r.ci
        ax.plot([lo, hi], [y, y], color=MUTED, lw=2, solid_capstyle="butt")
        ax.plot([r.rate], [y], "o", color=ACCENT, ms=6)
        ax.annotate(f"{r.malignant}/{r.known}", (1.02, y), xycoords=("axes fraction", "data"), va="center",
                    fontsize=8, color=INK, annotation_clip=False)
    ax.set_yticks(ys, [_shorten(r.label) for r in shown], parse_math=False)  # a "$" in a title is a dollar sign
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("malignant / (malignant + benign), Wilson 95% CI", fontsize=8)
    _style(ax)
    alt = "; ".join(f"{r.label}: {r.text()} of {r.known}" for r in shown)
    return Plot("plot-rates", "Malignancy rate by definition", to_data_uri(fig), alt)


def bethesda_plot(counts: dict[str, int], unit: str) -> Plot | None:
    if not sum(counts.values()):
        return None
    fig = _figure(4.6, 2.6)
    ax = fig.add_subplot()
    bars = ax.bar(list(counts), list(counts.values()), color=[MUTED] * 5 + [ACCENT])
    ax.bar_label(bars, fontsize=8, color=INK)
    ax.set_xlabel("Bethesda category", fontsize=9)
    ax.set_ylabel(unit.split(" (")[0], fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax)
    alt = ", ".join(f"{k}: {v}" for k, v in counts.items())
    return Plot("plot-bethesda", f"Bethesda distribution ({unit})", to_data_uri(fig), alt)


def surgery_delay_plot(days: list[int]) -> Plot | None:
    if not days:
        return None
    fig = _figure(4.6, 2.6)
    ax = fig.add_subplot()
    ax.hist(days, bins=min(20, max(5, len(set(days)))), color=MUTED, edgecolor="white")
    ax.set_xlabel("days from index ultrasound to surgery", fontsize=9)
    ax.set_ylabel("patients", fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax)
    s = sorted(days)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    alt = f"{len(days)} patients; median {median:g} days; range {s[0]}–{s[-1]} days"
    return Plot("plot-surgery", "Time from ultrasound to surgery", to_data_uri(fig), alt)
