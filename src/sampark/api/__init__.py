"""The REST API: the v1 API object (authentication, routers), its shared schemas, keyset
pagination, rate limits and error mapping."""
