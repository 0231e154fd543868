"""Web layer: templates, static assets, security headers, error pages, the full-page-or-partial renderer."""
