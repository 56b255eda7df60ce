"""Deployment: gunicorn settings and the `make run` launcher."""
