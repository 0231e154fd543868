"""The ERP migrations written before ``nexo.platform.db.ddl`` import ``run_statements`` from here.

Migrations must replay the same way forever, so their imports stay valid; new code imports
``nexo.platform.db.ddl``. This file goes once those migrations carry their own DDL.
"""

from nexo.platform.db.ddl import run_statements

__all__ = ["run_statements"]
