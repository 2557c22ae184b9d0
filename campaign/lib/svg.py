"""Charts drawn on the server as inline SVG, for pages and PDFs alike, that know no domain:
they take plain data and return a `Chart` — its SVG and its numbers as a table. The one public
name of the chart component (its modules are in campaign.lib.charts).

- `line_chart`: trends over months, one line per `Series`.
- `bar_chart`: a bar per street or sector, grouped per series, optionally each a link.
- `stacked_bar_chart`: a bar per row split into segments (the four-colour map's counts).
- `choropleth`: a map of `Area`s, from GeoJSON or as a tile grid.

A page shows one with `{% include "charts/_chart.html" with chart=… %}`: the SVG (a narrower
one on phones) and its table behind 查看数据; a PDF with `printed=True` as well.

from campaign.lib import svg
chart = svg.line_chart(title=…, categories=[…], series=[svg.Series("报送率", [...])], percent=True)
"""

from campaign.lib.charts.bar import bar_chart
from campaign.lib.charts.data import PALETTE, Chart, Series, format_number, nice_ticks
from campaign.lib.charts.line import line_chart
from campaign.lib.charts.maps import Area, choropleth, polygon_geometry
from campaign.lib.charts.markup import CHART_WIDTH, FONT_FAMILY, NARROW_WIDTH, WIDTH, text_colour
from campaign.lib.charts.stacked import stacked_bar_chart

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
