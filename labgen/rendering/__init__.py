"""The rendering pipeline: chapter specs through Jinja2 templates into formatted marimo labs."""
