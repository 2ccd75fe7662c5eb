"""The archive in Datasette: the plugin (hooks, pages, image route), templates and static files.

Everything here reads; nothing writes. ``plugin.py`` is the entry point
Datasette loads; ``config.py`` builds the Datasette instance ``archive serve``
runs, so tests exercise exactly the configuration reviewers get.
"""
