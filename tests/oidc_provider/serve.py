"""Starts the test OpenID Connect provider: ``python -m tests.oidc_provider.serve`` (from the checkout), with
PROVIDER_DB (its SQLite file), PROVIDER_SETUP (JSON: the client and the people) and PROVIDER_TEST_TOKEN in the
environment. Migrates its database, registers the client and the people, then serves on 127.0.0.1 on a free port,
printing ``READY <port>``. It stops when its parent process goes, or after PROVIDER_MAX_SECONDS in any case."""

import json
import os
import sys
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is the standard library's
        if os.environ.get("PROVIDER_LOG"):
            super().log_message(format, *args)


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def set_up(setup: dict) -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    Application.objects.create(
        name="Performance framework", client_id=setup["client_id"], client_secret=setup["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(setup["redirect_uris"]),
        post_logout_redirect_uris=" ".join(setup.get("post_logout_redirect_uris", [])),
        algorithm=Application.RS256_ALGORITHM, skip_authorization=True,
    )
    for person in setup.get("users", []):
        user = User.objects.create_user(person["username"], email=person["email"], password=person["password"],
                                        first_name=person.get("first_name", ""), last_name=person.get("last_name", ""))
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in person.get("groups", [])])


def watch(parent: int, deadline: float) -> None:
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    set_up(json.loads(settings.PROVIDER_SETUP))
    deadline = time.monotonic() + float(os.environ.get("PROVIDER_MAX_SECONDS", "900"))
    threading.Thread(target=watch, args=(os.getppid(), deadline), daemon=True).start()
    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=ThreadingServer,
                         handler_class=QuietHandler)
    print(f"READY {server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
