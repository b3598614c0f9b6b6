"""The HTTP server: the SPARQL endpoint, linked-data pages and the web UI (``create_app`` in ``app``)."""

__all__: list[str] = []
