"""``{% sso_enabled as on %}``: whether the sign-in page offers "Sign in with your council account"."""

from django import template

from pmf import sso

register = template.Library()


@register.simple_tag
def sso_enabled() -> bool:
    return sso.enabled()
