"""Charts drawn on the server as inline SVG, for pages and PDFs alike, that know no domain:
they take plain data and return a `Chart` — its SVG and its numbers as a table.

- `line_chart`: trends over months, one line per `Series`.
- `bar_chart`: a bar per street or sector, grouped per series, optionally each a link.
- `stacked_bar_chart`: a bar per row split into segments (the four-colour map's counts).
- `choropleth`: a map of `Area`s, from GeoJSON or as a tile grid.

A page shows one with `{% include "charts/_chart.html" with chart=… %}`: the SVG (a narrower
one on phones) and its table behind 查看数据; a PDF with `printed=True` as well. Imported as
`campaign.lib.svg` too, its first home.
"""

from .bar import bar_chart
from .data import PALETTE, Chart, Series, format_number, nice_ticks
from .line import line_chart
from .maps import Area, choropleth, polygon_geometry
from .markup import CHART_WIDTH, FONT_FAMILY, NARROW_WIDTH, WIDTH, text_colour
from .stacked import stacked_bar_chart

__all__ = [
    "CHART_WIDTH",
    "FONT_FAMILY",
    "NARROW_WIDTH",
    "PALETTE",
    "WIDTH",
    "Area",
    "Chart",
    "Series",
    "bar_chart",
    "choropleth",
    "format_number",
    "line_chart",
    "nice_ticks",
    "polygon_geometry",
    "stacked_bar_chart",
    "text_colour",
]
