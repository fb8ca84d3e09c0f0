"""The "API tokens" page: a person's own personal API tokens (pmf/api_tokens.py), made, listed and revoked."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from pmf import api_tokens
from pmf.errors import Refused
from pmf.forms import show_refusal
from pmf.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label="What the token is for", max_length=100,
                           help_text="For example “Power BI refresh”: it is listed under this name.")
    days = forms.IntegerField(label="Lasts (days)", min_value=1, max_value=api_tokens.MAX_DAYS,
                              initial=api_tokens.DEFAULT_DAYS,
                              help_text=f"From 1 to {api_tokens.MAX_DAYS} days; {api_tokens.DEFAULT_DAYS} if you "
                                        "are not sure. Make a new one before it runs out.")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """My tokens, and the form to make one. A new token's secret is shown on this answer only, never again."""
    form = TokenForm(request.POST or None)
    made = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = api_tokens.create_token(user=request.user, name=form.cleaned_data["name"],
                                               days=form.cleaned_data["days"])
            except Refused as refused:
                show_refusal(form, refused)
            else:
                form = TokenForm()
        if form.errors:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    response = render(request, "api/tokens.html", {"nav": "api_tokens", "form": form, "made": made,
                                                   "tokens": tokens}, status=status)
    if made is not None:
        response["Cache-Control"] = "no-store"  # the secret is in this page only
    return response


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of my tokens (POST only); anyone else's token is not found."""
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    api_tokens.revoke_token(user=request.user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api_tokens")
