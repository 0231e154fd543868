"""User accounts: users, passwords, login sessions, password reset."""
