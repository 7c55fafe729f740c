"""The public status site: pages, feeds, OParl, calendars, open data (read-only, released data only)."""
