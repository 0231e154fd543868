"""Tenancy primitives of the kernel: who is acting in which workspace, and the policies every request obeys.

``context`` holds the resolved workspace (``TenantContext``) and the member roles; ``policy`` the refusals shared by
pages and the API (a switched-off module, a read-only workspace) and the request's database session. The features
that resolve a workspace (``nexo.tenants.resolution`` for pages, ``nexo.platform.api.auth`` for tokens) build on
these; modules import them from here, never from ``nexo.tenants``.
"""
