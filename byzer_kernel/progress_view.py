"""A long statement's progress in a notebook: one `text/html` + `text/plain` output per statement,
updated in place through a display handle, its last update the final state ("done in 12 s: …",
"interrupted after …"), which is what a saved notebook, nbconvert, VS Code and GitHub show.

The states come from engine/progress.py (once a second at most); this module only draws them.
"""
from __future__ import annotations

from .output_style import FAINT, FONT, MONO, bar, colour, escape


def progress_html(state) -> str:
    """The state as HTML: the phase or outcome, the statement (wrapping, never cut off by the
    layout), a bar when the share done is known, then the numbers."""
    where = f'<span style="{FAINT}">line {state.line}</span> ' if state.line > 1 else ""
    percent = state.percent
    if state.outcome == "done":
        percent = 100.0
    elif percent is None and not state.running:
        percent = 100.0  # a failed or interrupted run of unknown size: a full bar in its colour
    facts = " · ".join(state.facts())
    return (
        f'<div class="byzer-progress byzer-progress-{escape(state.outcome)}" style="{FONT};margin:2px 0;'
        f'max-width:720px">'
        f'<div class="byzer-progress-head" style="overflow-wrap:anywhere;white-space:normal">'
        f'<span class="byzer-progress-phase" style="font-weight:600;{colour("color", state.outcome)}">'
        f'{escape(state.headline())}</span> {where}'
        f'<code class="byzer-progress-label" style="{MONO};white-space:normal;overflow-wrap:anywhere;'
        f'background:none;padding:0">{escape(state.label)}</code></div>'
        f'<div style="margin:3px 0">{bar(percent, state.outcome)}</div>'
        f'<div class="byzer-progress-facts" style="{FAINT};overflow-wrap:anywhere">{escape(facts)}</div>'
        f'</div>')


def progress_bundle(state) -> dict:
    return {"text/plain": state.text(), "text/html": progress_html(state)}


class ProgressView:
    """One statement's progress output. Live (a Jupyter kernel): shown at the first state and
    updated at each; otherwise (a terminal IPython) only the final state is printed."""

    def __init__(self, live: bool):
        self.live = live
        self.handle = None

    def show(self, state) -> None:
        from IPython.display import display

        bundle = progress_bundle(state)
        # `byzer run` tells progress among a cell's outputs by this (and prints its final state).
        metadata = {"byzer": {"progress": state.outcome}}
        if self.handle is not None:
            self.handle.update(bundle, raw=True, metadata=metadata)
        elif self.live or not state.running:
            self.handle = display(bundle, raw=True, metadata=metadata, display_id=True)
