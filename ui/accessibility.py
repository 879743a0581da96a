"""Readable by everyone (RGAA 4.1 / WCAG 2.1 AA), and French to the last label.

Called by ``app.py`` on every run, before the page draws anything:

- :func:`page_config`: each page its own ``<title>`` (« Tendances · Observatoire PDALHPD »), the
  favicon a local file (no icon font asked of another host);
- :func:`navigation`: the sidebar's navigation drawn by the app (``st.page_link`` in lists, one per
  section) in place of Streamlit's, whose markup has ``<div>`` between ``<ul>`` and ``<li>``;
- :func:`apply`: the page-wide CSS (captions and the selected « Pas de temps » at ≥ 4.5:1, white
  text on primary buttons even under the projection CSS, a 3 px focus ring) and a small same-origin
  script: ``<html lang="fr">``, ARIA roles of the navigation, and Streamlit's own English words
  (« Skip to main content », « Clear all », « Période — start », the file uploader's « Upload » and
  « 50MB per file »…) in French, as they appear (a MutationObserver; Streamlit has no setting for
  its interface's language);
- :func:`chart_label`: the accessible name of a chart, saying what it shows and where its data is.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import streamlit as st

from data_access.vocabulary import PAGE_INFO, Page

APP_NAME = "Observatoire PDALHPD"
FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.png"
NAV_KEY = "site-nav"
NAV_LABEL = "Pages de l'observatoire"
PLACEHOLDER = "Choisir une option"  # selectboxes (Streamlit's default is « Choose an option »)

CSS = """
<style>
/* captions (filters, unit, source, update date): #595959 on white is 7:1 (Streamlit's faded grey: 3.9:1) */
[data-testid='stCaptionContainer'] {color: #595959; opacity: 1;}
/* the selected option of a segmented control (« Année »): a darker blue on its tint (7.6:1) */
[data-testid='stButtonGroup'] button[data-selected='true'], [data-testid='stButtonGroup'] button[data-selected='true'] p {color: #00466E;}
/* primary buttons keep white text (5.2:1 on #0072B2), whatever colour another stylesheet gives paragraphs */
[data-testid^='stBaseButton-primary'] [data-testid='stMarkdownContainer'] p {color: #fff !important;}
/* a visible keyboard focus everywhere: 3 px, dark blue, off the element's edge */
:focus-visible {outline: 3px solid #00466E !important; outline-offset: 2px !important;}
[data-testid='stSidebar'] a:focus-visible {outline-offset: -3px !important; background: #DCEAF4;}
/* the app's own navigation: section names as Streamlit wrote them, links closer together */
.st-key-site-nav {gap: 0.1rem;}
.st-key-site-nav .nav-section {margin: 0.6rem 0 0 0; font-size: 0.85rem; font-weight: 600; color: #3D3B39;}
.st-key-site-nav [class*='st-key-site-nav-list'] {gap: 0;}
/* the element holding the page's script takes no room */
[data-testid='stElementContainer']:has(> [data-testid='stHtml'] > script[data-observatoire]) {display: none;}
</style>
"""

# Streamlit's interface words (aria-label, title, placeholder, visible text), in French
WORDS = {
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Barre latérale",
    "Collapse sidebar": "Replier la barre latérale",
    "Expand sidebar": "Déplier la barre latérale",
    "App pages": "Pages de l'application",
    "Main menu": "Menu principal",
    "Choose an option": PLACEHOLDER,
    "Choose options": "Choisir des options",
    "Open": "Ouvrir la liste",
    "Close": "Fermer",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Selected values": "Valeurs choisies",
    "Selectbox": "Liste de choix",
    "Selectbox options": "Options",
    "Multiselect": "Choix multiple",
    "Multiselect options": "Options",
    "No results": "Aucun résultat",
    "Link to heading": "Lien vers ce titre",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Previous page": "Page précédente",
    "Next page": "Page suivante",
    "file upload": "Choisir un fichier",
    "Upload": "Parcourir",
    "Browse files": "Parcourir",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Drag and drop files here": "Glissez-déposez les fichiers ici",
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Press Enter to apply": "Entrée pour valider",
    "Page not found": "Page introuvable",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "La page demandée n'existe pas : voici la page d'accueil de l'observatoire."
    ),
}
# (JavaScript regular expression, replacement): words around a label of ours
PATTERNS = [
    (r"^Remove (.+)$", "Retirer « $1 »"),
    (r"^(.+) — start$", "$1 — début"),
    (r"^(.+) — end$", "$1 — fin"),
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^([\d.]+)\s?B per file$", "$1 o par fichier"),
    (r"^([\d.]+)\s?KB per file$", "$1 ko par fichier"),
    (r"^([\d.]+)\s?MB per file$", "$1 Mo par fichier"),
    (r"^([\d.]+)\s?GB per file$", "$1 Go par fichier"),
    (r"^You can only select up to (\d+) options?\. Remove an option first\.$", "Au plus $1 choix : retirez-en un d'abord."),
    # the uploader's refusals, written by the browser before anything reaches the server
    (r"^File must be (\d+)(?:\.0)?\s?MB or smaller\.$", "Fichier trop volumineux : $1 Mo au plus."),
    (r"^(.+) files are not allowed\.$", "Fichier refusé : le type « $1 » n'est pas accepté ici."),
    (r"^File size is too small\.$", "Fichier vide : choisissez un fichier qui contient des données."),
    (r"^Only one file is allowed\.$", "Un seul fichier à la fois."),
]
SCRIPT = r"""
<script data-observatoire="a11y">
(() => {
  const root = document.documentElement;
  root.lang = 'fr';
  if (window.__observatoireA11y) return;
  window.__observatoireA11y = true;
  const {words: WORDS, patterns, nav: NAV, label: LABEL} = %(config)s;
  const PATTERNS = patterns.map(([source, replacement]) => [new RegExp(source), replacement]);
  const ATTRIBUTES = ['aria-label', 'title', 'placeholder', 'data-title', 'aria-roledescription'];
  const french = (value) => {
    const text = value.trim();
    if (!text) return null;
    if (Object.prototype.hasOwnProperty.call(WORDS, text)) return value.replace(text, WORDS[text]);
    for (const [pattern, replacement] of PATTERNS) if (pattern.test(text)) return value.replace(text, text.replace(pattern, replacement));
    return null;
  };
  const element = (node) => {
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      const translated = value && french(value);
      if (translated && translated !== value) node.setAttribute(name, translated);
    }
  };
  const text = (node) => {
    const translated = french(node.nodeValue);
    if (translated && translated !== node.nodeValue) node.nodeValue = translated;
  };
  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return text(node);
    if (node.nodeType !== Node.ELEMENT_NODE || node.closest('script, style')) return;
    element(node);
    node.querySelectorAll('*').forEach(element);
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) text(walker.currentNode);
  };
  // the app's navigation: a landmark, then per section a list named by the section's heading
  const structure = () => {
    if (root.lang !== 'fr') root.lang = 'fr';
    const nav = document.querySelector('.st-key-' + NAV);
    if (!nav) return;
    if (nav.getAttribute('role') !== 'navigation') {
      nav.setAttribute('role', 'navigation');
      nav.setAttribute('aria-label', LABEL);
    }
    nav.querySelectorAll('[class*="st-key-' + NAV + '-list-"]').forEach((list) => {
      const number = [...list.classList].find((name) => name.startsWith('st-key-' + NAV + '-list-')).split('-').pop();
      if (list.getAttribute('role') !== 'list') list.setAttribute('role', 'list');
      if (!list.hasAttribute('aria-labelledby')) list.setAttribute('aria-labelledby', NAV + '-section-' + number);
      for (const item of list.children) if (item.getAttribute('role') !== 'listitem') item.setAttribute('role', 'listitem');
    });
    // the current page's link says so (Streamlit only styles it)
    const here = location.pathname.replace(/\/+$/, '');
    nav.querySelectorAll('a[href]').forEach((link) => {
      // the home page's link is href="": the app's root, not the page shown
      const current = new URL(link.getAttribute('href') || './', location.href).pathname.replace(/\/+$/, '') === here;
      if (current && link.getAttribute('aria-current') !== 'page') link.setAttribute('aria-current', 'page');
      else if (!current && link.hasAttribute('aria-current')) link.removeAttribute('aria-current');
    });
  };
  visit(document.body);
  structure();
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') element(record.target);
      else if (record.type === 'characterData') text(record.target);
      else record.addedNodes.forEach(visit);
    }
    structure();
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES});
})();
</script>
"""


def script() -> str:
    config = {"words": WORDS, "patterns": PATTERNS, "nav": NAV_KEY, "label": NAV_LABEL}
    # the JSON goes inside a <script>: « </ » would end it, so slashes are escaped
    return SCRIPT % {"config": json.dumps(config, ensure_ascii=False).replace("</", "<\\/")}


def page_title(page: Page) -> str:
    """« Tendances · Observatoire PDALHPD »: the browser tab, the history and a screen reader tell the pages apart."""
    return f"{PAGE_INFO[page].page_title} · {APP_NAME}"


def page_config(page: Page | None = None) -> None:
    """The page's title and the app's local favicon (``page=None``: the app's name alone)."""
    title = page_title(page) if page is not None else APP_NAME
    st.set_page_config(page_title=title, page_icon=str(FAVICON) if FAVICON.exists() else None, layout="wide")


def navigation(sections: dict[str, list[st.Page]]) -> None:
    """The sidebar's navigation: per section its name, then its pages' links (``st.page_link``:
    the page changes within the session, as with Streamlit's own menu). The script makes the whole a
    navigation landmark and each section a list of links named by its section."""
    with st.sidebar, st.container(key=NAV_KEY, gap=None):
        for number, (section, entries) in enumerate(sections.items()):
            st.html(f'<p class="nav-section" id="{NAV_KEY}-section-{number}">{escape(section)}</p>')
            with st.container(key=f"{NAV_KEY}-list-{number}", gap=None):
                for entry in entries:
                    st.page_link(entry)


def apply() -> None:
    """The page-wide CSS and script (every run: a page's elements are redrawn at each run)."""
    st.html(CSS)
    st.html(script(), unsafe_allow_javascript=True)


def chart_label(title: str, *, table: bool = True) -> str:
    """A chart's accessible name: what it shows, and where its data can be read as a table."""
    where = " Les données sont dans le tableau « Voir les données » sous le graphique." if table else ""
    return f"Graphique : {title}.{where}"
