"""Accounts and sessions (issue 11, part): password change for everyone, idle and absolute session timeouts,
a new session on sign-in, and input no page can use answered with a clear 400."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from pmf.choices import Role
from pmf.middleware import SEEN, STARTED
from pmf.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

NOT_STAFF = "owen.hartley"  # a Cabinet member
NEW = "Kestrel-Harbour-19"


def _signed_in(client, username=NOT_STAFF):
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/indicators/", "/plans/", "/audit/", "/reporting/", "/plans/thread/"])
def test_a_null_character_in_the_address_is_a_clear_400_not_a_500(client, url):
    _signed_in(client, "nadia.holloway")
    response = client.get(url, {"q": "water\x00"})
    assert response.status_code == 400
    assert "The value of <strong>q</strong> in the address contains a character that is not allowed" in response.text
    assert "Nothing was saved." in response.text


def test_a_null_character_in_a_parameter_name_is_refused_too(client):
    _signed_in(client)
    response = client.get("/indicators/?%00q=1")
    assert response.status_code == 400


def test_someone_who_is_not_staff_changes_their_password_through_the_checks(client):
    user = _signed_in(client)
    assert not user.is_staff
    user.set_password("old-password-42x")
    user.save()
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Change your password" in page.text

    wrong = client.post(reverse("password_change"), {
        "old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly" in wrong.text

    common = client.post(reverse("password_change"), {
        "old_password": "old-password-42x", "new_password1": "password123", "new_password2": "password123"})
    assert "This password is too common." in common.text
    user.refresh_from_db()
    assert user.check_password("old-password-42x")  # nothing saved

    done = client.post(reverse("password_change"), {
        "old_password": "old-password-42x", "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Kestrel-Harbour-19")
    assert client.get(reverse("home")).status_code == 200  # still signed in here


def test_signing_in_starts_a_new_session(client):
    user = User.objects.get(username=NOT_STAFF)
    user.set_password("Kestrel-Harbour-19")
    user.save()
    planted = client.session  # an anonymous session, as an attacker might fix one
    planted["planted"] = "1"
    planted.save()
    before = client.cookies["sessionid"].value
    assert before == planted.session_key
    response = client.post(reverse("login"), {"username": NOT_STAFF, "password": "Kestrel-Harbour-19"})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert "planted" not in client.session or client.session.session_key != before


def _age_session(client, *, seen_ago: int, started_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN] = now - seen_ago
    session[STARTED] = now - started_ago
    session.save()


def test_thirty_minutes_without_a_request_signs_out(client, settings):
    _signed_in(client)
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    _age_session(client, seen_ago=29 * 60, started_ago=29 * 60)
    assert client.get(reverse("home")).status_code == 200  # 29 minutes idle: still signed in
    _age_session(client, seen_ago=31 * 60, started_ago=40 * 60)
    response = client.get(reverse("indicators:list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('indicators:list')}"
    page = client.get(response.url)
    assert "You were signed out after 30 minutes without activity." in page.text
    assert client.get(reverse("home")).status_code == 302  # and stays signed out


def test_twelve_hours_after_signing_in_signs_out_however_active(client, settings):
    _signed_in(client)
    _age_session(client, seen_ago=10, started_ago=12 * 3600 + 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "signed in more than 12 hours ago" in client.get(response.url).text


def test_the_timeouts_are_configurable(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    _signed_in(client)
    _age_session(client, seen_ago=6 * 60, started_ago=6 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "after 5 minutes without activity" in client.get(response.url).text


def test_beat_schedules_the_recovery_of_interrupted_packs():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from pmf.celery import app

    entry = app.conf.beat_schedule["recover-interrupted-packs"]
    assert entry["task"] in app.tasks
    # what beat's database scheduler does with it at start (the scheduler itself closes database connections)
    ModelEntry.from_entry("recover-interrupted-packs", app=app, **entry)
    task = PeriodicTask.objects.get(name="recover-interrupted-packs")
    assert task.task == "reporting.tasks.recover_interrupted_packs" and task.enabled
    assert task.interval.every * {"seconds": 1, "minutes": 60}[task.interval.period] == 300


def test_every_signed_in_page_links_to_the_password_change(client):
    _signed_in(client)
    assert f'href="{reverse("password_change")}">Change your password</a>' in client.get(reverse("home")).text
    assert "Change your password" not in Client().get(reverse("login")).text  # signed out: no such link


# -- Sign-in throttling, lock-out and the sign-in log (django-axes) ---------------------------------------------

def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _demo_user(username, password=NEW):
    user = User.objects.get(username=username)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def test_thirty_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client, settings):
    _demo_user("tom.ashworth")
    codes = [_sign_in(client, "tom.ashworth", f"guess-{n}").status_code for n in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert codes[:limit - 1] == [200] * (limit - 1)  # the sign-in page again, with its error
    assert set(codes[limit:]) == {429}
    locked = _sign_in(client, "tom.ashworth", NEW)
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.text and "locked on this device for 15 minutes" in locked.text
    assert client.get(reverse("home")).status_code == 302  # not signed in
    # another account, from the same address, is not locked
    _demo_user("grace.okafor")
    assert _sign_in(client, "grace.okafor", NEW).status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(client, settings):
    _demo_user("tom.ashworth")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "tom.ashworth", f"guess-{n}").status_code == 200
    assert _sign_in(client, "tom.ashworth", NEW).status_code == 302
    client.post(reverse("logout"))
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "tom.ashworth", f"again-{n}").status_code == 200
    assert _sign_in(client, "tom.ashworth", NEW).status_code == 302


def test_the_performance_unit_reads_its_councils_sign_ins_and_failures(client):
    _demo_user("tom.ashworth")
    _sign_in(Client(), "tom.ashworth", "wrong-password")
    _sign_in(Client(), "tom.ashworth", NEW)
    _sign_in(Client(), "nobody-at-all", "wrong-password")  # no one's account: no council's log

    _signed_in(client, "helen.marsh")
    failures = client.get(reverse("sign_in_log"))
    assert failures.status_code == 200
    assert "1 failed sign-in," in failures.text and "<td>tom.ashworth</td>" in failures.text
    assert "nobody-at-all" not in failures.text
    successes = client.get(reverse("sign_in_log"), {"outcome": "signed_in", "q": "ashworth"})
    assert "1 sign-in," in successes.text and "<td>tom.ashworth</td>" in successes.text

    other = Client()
    other.force_login(f.user(f.council("Elsewhere Council"), Role.PERFORMANCE_UNIT))
    assert "0 failed sign-ins," in other.get(reverse("sign_in_log")).text  # another council sees none of it

    _signed_in(client, "tom.ashworth")
    assert client.get(reverse("sign_in_log")).status_code == 403


def test_a_bad_filter_on_the_sign_in_log_is_named_not_a_500(client):
    _signed_in(client, "helen.marsh")
    response = client.get(reverse("sign_in_log"), {"outcome": "everything", "q": "x" * 500})
    assert response.status_code == 200
    assert "Show: Select a valid choice." in response.text
    assert "Username: Ensure this value has at most 150 characters" in response.text
