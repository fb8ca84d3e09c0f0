"""A small OpenID Connect provider (django-oauth-toolkit) that tests/test_sso.py starts in a process of its own,
listening on 127.0.0.1 only: a stand-in for the council's Microsoft Entra ID. Only for the tests."""
