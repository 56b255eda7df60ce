"""Accounts: users with a role and a region, password and token login, and who may do what."""
