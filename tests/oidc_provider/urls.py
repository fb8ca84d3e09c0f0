import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def set_groups(request):
    """Test only: {"username": ..., "groups": [...]} replaces the person's groups (the IT team moving them)."""
    if request.method != "POST" or request.headers.get("X-Test-Token") != settings.PROVIDER_TEST_TOKEN:
        return HttpResponseForbidden()
    data = json.loads(request.body)
    user = User.objects.get(username=data["username"])
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data["groups"]])
    return JsonResponse({"groups": data["groups"]})


def ready(request):
    return HttpResponse("ready")


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("testing/groups/", set_groups),
    path("testing/ready/", ready),
]
