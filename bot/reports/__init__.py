"""Reports for the political bodies: content from released data, rendered as HTML, PDF and Word."""
