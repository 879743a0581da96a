"""A neutral description of a meeting deck, rendered by :mod:`reporting.pptx` and :mod:`reporting.pdf`.

A :class:`Deck` is a title page, one :class:`Slide` per view and a « Méthodes et sources » page.
Everything is already decided and written out by the caller (texts in French, numbers formatted):
the renderers only lay it out. Both renderers draw each figure once through
:func:`slide_images`, which a caller building both files can run once and pass to each.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from figures.palette import STATUS_COLOURS
from reporting import images

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called before each step with the steps already done and the
label of the step starting, then once with ``done == total`` (label « Terminé »)."""

# The figure's box on a slide (in): the figure is laid out at 960 CSS px wide with the same
# proportions (text sizes are relative to that: a 22 px label becomes ≈ 14 pt on the slide) and
# drawn at scale 2, a 1 920 px PNG.
PICTURE_INCHES = (8.7, 5.0)
PICTURE_ASPECT = PICTURE_INCHES[0] / PICTURE_INCHES[1]
LAYOUT_WIDTH = 960
NEUTRAL_STATUS_COLOUR = "#666666"
# « objectifs 2018 : 1 234 sur 1 234 atteints » (casefolded): numbers grouped by spaces, narrow or not
SUMMARY_STATUS = re.compile(r"objectifs\s.*?:\s*(\d+(?:\s\d{3})*)\s+sur\s+(\d+(?:\s\d{3})*)\s+atteints?(?:\s+\(.*\))?")
MAX_KEY_FIGURES = 6  # beyond, nobody at the back of the room reads them: put them in a table


@dataclass(frozen=True, eq=False)
class Slide:
    """One view of the dashboard on one slide.

    Parameters
    ----------
    title
        What the slide shows, as a sentence title: « Assignations en Isère, 2013–2025 ».
    figure
        The figure, preferably built with ``presentation=True`` (larger text); None for a slide
        of key figures only. A map's zoom is refitted to the slide's picture
        (:func:`reporting.images.refit_map`).
    key_figures
        (label, value already formatted): ``[("Assignations en 2024", "2 696")]``; shown in large
        text next to the figure; at most ``MAX_KEY_FIGURES`` (6), three or four read best.
    status
        The objective's status, e.g. « Objectif 2024 : en retard »; coloured like the dashboard
        when it names one of ``figures.palette.STATUS_COLOURS``.
    filters
        The applied filters written out: « Isère · 2013–2025 · par mois ».
    footer
        Source and update date: « Source : ADIL 38 ; mise à jour le 15/11/2025 ».
    notes_table
        The figure's data, as the page shows it (French column names): a real table on the
        slide (without figure) or on the slides after it (PPTX), after the slide in the PDF, and
        in the speaker notes. None for no table.
    demo
        The slide shows demonstration data: it carries « Données fictives de démonstration ».
    """

    title: str
    figure: go.Figure | None = None
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None
    filters: str = ""
    footer: str = ""
    notes_table: pd.DataFrame | None = None
    demo: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError(f"Slide.title : un titre non vide est attendu, reçu {self.title!r}")
        if self.figure is not None and not isinstance(self.figure, go.Figure):
            raise TypeError(f"Slide.figure : un plotly.graph_objects.Figure ou None est attendu, reçu {type(self.figure).__name__}")
        if len(self.key_figures) > MAX_KEY_FIGURES:
            raise ValueError(f"Slide.key_figures : au plus {MAX_KEY_FIGURES} chiffres clés par vue, reçu {len(self.key_figures)}")
        for item in self.key_figures:
            if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(part, str) for part in item)):
                raise TypeError(f"Slide.key_figures : des paires (libellé, valeur formatée) de textes sont attendues, reçu {item!r}")
        if self.notes_table is not None and not isinstance(self.notes_table, pd.DataFrame):
            raise TypeError(f"Slide.notes_table : un DataFrame ou None est attendu, reçu {type(self.notes_table).__name__}")


@dataclass(frozen=True, eq=False)
class Deck:
    """A meeting deck: title page, one slide per view, « Méthodes et sources ».

    Parameters
    ----------
    title
        « CCAPEX plénière », « Bilan annuel du PALHDI 2024 ».
    subtitle
        The plan and the séance: « PALHDI de l'Isère 2014–2020 · séance du 12 décembre 2025 ».
    date
        The date printed on the title page (the séance's).
    demo
        Some view shows demonstration data: the title page says so.
    slides
        The views, in order.
    methods
        Lines of the last page: methods and sources, one statement each.
    """

    title: str
    subtitle: str = ""
    date: dt.date = field(default_factory=dt.date.today)
    demo: bool = False
    slides: Sequence[Slide] = ()
    methods: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.date, dt.date):
            raise TypeError(f"Deck.date : une date est attendue, reçu {type(self.date).__name__}")
        for slide in self.slides:
            if not isinstance(slide, Slide):
                raise TypeError(f"Deck.slides : des Slide sont attendues, reçu {type(slide).__name__}")


def status_colour(status: str | None) -> str:
    """The dashboard colour of the status named in ``status`` (« Objectif 2024 : non atteint »), else a neutral grey.

    A count of objectives reached (« Objectifs 2018 : 3 sur 14 atteints », as
    ``views.objective_tables.summary_status`` writes it) follows the counts, not the word
    « atteints »: all of them reached is « atteint », none « non atteint », some « en retard »
    (and neutral grey for none out of none, or more reached than counted).
    """
    text = (status or "").casefold()
    counts = SUMMARY_STATUS.fullmatch(text.strip())
    if counts:
        reached, total = (int(re.sub(r"\s", "", number)) for number in counts.groups())
        if total == 0 or reached > total:
            return NEUTRAL_STATUS_COLOUR
        return STATUS_COLOURS["atteint" if reached == total else "non atteint" if reached == 0 else "en retard"]
    for name in sorted(STATUS_COLOURS, key=len, reverse=True):  # « non atteint » before « atteint »
        if name in text:
            return STATUS_COLOURS[name]
    return NEUTRAL_STATUS_COLOUR


def picture_size() -> tuple[int, int, float]:
    """Layout width and height (CSS px) and scale at which a slide's figure is drawn: the slide's
    picture proportions, 960 px wide (a 22 px label reads ≈ 14 pt on the slide), a 1 920 px PNG."""
    return LAYOUT_WIDTH, round(LAYOUT_WIDTH / PICTURE_ASPECT), images.MIN_PNG_WIDTH / LAYOUT_WIDTH


def slide_images(deck: Deck, *, progress: Progress | None = None, job_steps: int | None = None) -> list[bytes | None]:
    """Each slide's figure as a PNG (None for a slide without figure), drawn by :mod:`reporting.images`.

    ``progress(done, total, label)`` is called before each figure (« Figure 2 sur 3 : <title> »),
    then with ``(total, total, "Terminé")``. ``job_steps``: the drawing is the first part of a
    longer job of that many steps (a renderer's), which reports « Terminé » itself.

    Raises
    ------
    reporting.images.ExportError
        Chromium is missing or a figure could not be drawn.
    """
    count = sum(slide.figure is not None for slide in deck.slides)
    total = job_steps or count
    pictures: list[bytes | None] = []
    for slide in deck.slides:
        if slide.figure is None:
            pictures.append(None)
            continue
        done = sum(picture is not None for picture in pictures)
        if progress:
            progress(done, total, f"Figure {done + 1} sur {count} : {slide.title}")
        width, height, scale = picture_size()
        figure = images.refit_map(slide.figure, height)  # a map keeps its extent in the smaller box
        pictures.append(images.figure_png(figure, width=width, height=height, scale=scale))
    if progress and job_steps is None:
        progress(total, total, "Terminé")
    return pictures


def check_images(deck: Deck, pictures: Sequence[bytes | None]) -> None:
    """Raise ValueError unless ``pictures`` has one PNG per slide with a figure, None elsewhere."""
    if len(pictures) != len(deck.slides):
        raise ValueError(f"images : une image par vue est attendue ({len(deck.slides)}), reçu {len(pictures)}")
    for number, (slide, picture) in enumerate(zip(deck.slides, pictures, strict=True), start=1):
        if (slide.figure is None) != (picture is None):
            raise ValueError(f"images : la vue {number} « {slide.title} » {'a' if slide.figure is not None else 'n’a pas'} de figure")
