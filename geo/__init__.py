"""Boundaries, territory levels and choropleth maps of a département.

``geo`` reads commune boundaries (never the database), dissolves them into the observatory's
levels according to a membership table, caches the result as GeoParquet and draws Plotly maps.
Modules, one job each:

- ``errors``: the French-worded exceptions a page shows in place of a map;
- ``boundaries``: where the commune boundaries come from and how they are read;
- ``download``: the one network fallback (Etalab « contours administratifs »);
- ``levels``: dissolve communes into levels, simplify, reconcile codes;
- ``cache``: build once, then read the GeoParquet layers;
- ``classes``: class breaks, colours and French legend labels;
- ``view``: centre and zoom that fit a département in the frame;
- ``maps``: the choropleth figure.
"""
