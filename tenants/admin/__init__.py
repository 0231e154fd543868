"""The tenant admin area under ``/w/{workspace}/settings``: modules, members, workspace settings, audit log."""
