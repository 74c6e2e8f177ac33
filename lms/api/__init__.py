"""The HTTP API for HR systems: bearer tokens, JSON, under /api/v1 (DESIGN.md, "HTTP API").

`routes` has the views, `openapi` the OpenAPI 3 document that describes them
(tests/api/test_openapi.py holds the two to each other).
"""
