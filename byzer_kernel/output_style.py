"""Inline styles for the HTML the status and progress outputs carry (widgets.py, progress_view.py).

Every rule sits in a `style` attribute, so the output looks the same in JupyterLab, a saved and
reopened notebook, nbconvert's HTML, VS Code and GitHub, none of which keeps the extension's CSS
(and an untrusted notebook loses `<style>` elements). Colours are written twice: a literal that
reads on light and dark backgrounds, then JupyterLab's theme variable with that literal as its
fallback. A renderer that cannot take `var()` (JupyterLab's sanitizer of untrusted outputs) drops
the second and keeps the first. Text keeps the theme's own colour; secondary text is only fainter.
"""
from __future__ import annotations

import html

FONT = "font-family:var(--jp-ui-font-family,system-ui,-apple-system,'Segoe UI',sans-serif);font-size:13px;line-height:1.45"
MONO = "font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace);font-size:12px"
FAINT = "opacity:0.72"  # secondary text: the theme's colour, fainter
TRACK = "background-color:rgba(128,128,128,0.25)"  # a bar's empty part, grey on any background

# (literal, JupyterLab variable): each literal has enough contrast on white and on #111.
COLOURS = {
    "running": ("#1e88e5", "--jp-brand-color1"),
    "done": ("#43a047", "--jp-success-color1"),
    "failed": ("#e53935", "--jp-error-color1"),
    "interrupted": ("#fb8c00", "--jp-warn-color1"),
    "link": ("#1e88e5", "--jp-content-link-color"),
}


def colour(prop: str, name: str) -> str:
    """`prop:literal;prop:var(--jp-…,literal)` for the colour `name` of COLOURS."""
    literal, variable = COLOURS[name]
    return f"{prop}:{literal};{prop}:var({variable},{literal})"


def bar(percent, name: str, width: str = "100%", height: int = 6) -> str:
    """A horizontal bar filled to `percent` (None: unknown, drawn full and faint)."""
    fill = f"width:{percent:.0f}%" if percent is not None else "width:100%;opacity:0.35"
    return (f'<div class="byzer-bar" style="display:block;width:{width};max-width:100%;height:{height}px;'
            f'border-radius:{height // 2}px;overflow:hidden;{TRACK}">'
            f'<div class="byzer-bar-fill" style="height:{height}px;{fill};{colour("background-color", name)}">'
            f'</div></div>')


def escape(value) -> str:
    return html.escape(str(value))
