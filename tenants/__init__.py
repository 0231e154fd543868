"""Tenants: registry, signup, provisioning, resolution, members, invitations, roles, audit, export."""
