"""What readers see: selectors, views, filters, feeds, sitemaps, charts, source rendering, downloads and
template tags. May import sources, companies, dataio and core; only evtracker imports it."""
