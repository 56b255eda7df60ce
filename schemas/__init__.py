"""marshmallow schemas: the one definition of every document and payload (API, worker and OpenAPI)."""
