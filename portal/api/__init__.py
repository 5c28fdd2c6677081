"""JSON API v1 on django-ninja: ``routes`` (the API, its error handlers and URLs), ``views`` (the operations),
``schemas`` (the OpenAPI description), ``auth``, ``bodies`` (reading requests) and ``errors``."""
