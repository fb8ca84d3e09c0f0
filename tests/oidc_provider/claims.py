"""The person's stable object ID (Entra's ``oid``) the test provider sends: the same for a username every time.
Its own module, free of django-oauth-toolkit, so the test in our app's process can import it."""

import uuid

OID_NAMESPACE = uuid.UUID("6f1c1f4e-2d7a-4c55-9a1e-4f0a9b6f7d11")


def oid_of(username: str) -> str:
    return str(uuid.uuid5(OID_NAMESPACE, username))
