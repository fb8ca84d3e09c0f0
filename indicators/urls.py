from django.urls import path

from indicators import views, views_returns, views_targets

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<int:pk>/returns/<int:period_pk>/", views_returns.enter_return, name="return"),
    path("<int:pk>/returns/<int:period_pk>/preview/", views_returns.preview_return, name="return_preview"),
    path("evidence/<int:pk>/", views_returns.download_evidence, name="evidence"),
    path("sign-off/", views_returns.sign_off, name="sign_off"),
    path("verify/", views_returns.verify, name="verify"),
    path("returns/<int:pk>/send-back/", views_returns.send_back, name="send_back"),
    path("returns/<int:pk>/reopen/", views_returns.reopen, name="reopen"),
    path("returns/<int:pk>/query/", views_returns.query, name="query"),
    path("recovery-plans/<int:pk>/", views_returns.recovery_plan, name="recovery_plan"),
    path("targets/<int:pk>/edit/", views_targets.target_edit, name="target_edit"),
    path("targets/<int:pk>/reapprove/", views_targets.target_reapprove, name="target_reapprove"),
]
