"""Server-rendered inline SVG charts: the public name of `campaign.lib.charts` (see there).

from campaign.lib import svg
chart = svg.line_chart(title=…, categories=[…], series=[svg.Series("报送率", [...])], percent=True)
"""

from campaign.lib.charts import (
    CHART_WIDTH,
    FONT_FAMILY,
    NARROW_WIDTH,
    PALETTE,
    WIDTH,
    Area,
    Chart,
    Series,
    bar_chart,
    choropleth,
    format_number,
    line_chart,
    nice_ticks,
    polygon_geometry,
    stacked_bar_chart,
    text_colour,
)

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
