"""One pure function per page builds its :class:`~views.model.View` from typed parameters and a
:class:`~views.loader.Loader`; the Streamlit page, the projection and every export render that View.

Nothing here imports Streamlit or opens a connection of its own (see docs/decisions/0005-views.md).
"""
