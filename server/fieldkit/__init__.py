"""The field kit (the inspectors' offline PWA): its app shell, service worker, settings and catalogues under /app/."""
from server.fieldkit.views import init_app

__all__ = ["init_app"]
