"""Questions and comments from the public status page, moderated from chat (issue #8)."""
