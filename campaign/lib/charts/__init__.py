"""The chart component's modules: data (Chart, Series, number formats, axes), markup (the SVG's
pieces), line, bar, stacked and maps. Import the component as `campaign.lib.svg`, its one public
name; the modules here are its inside."""
