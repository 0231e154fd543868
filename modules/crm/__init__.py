"""CRM: contacts and companies on the shared directory, pipeline, activities, cases, campaigns, import/export."""
