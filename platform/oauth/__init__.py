"""The OAuth 2 authorization server (Authlib with Litestar glue): partner apps, installations, tokens."""
