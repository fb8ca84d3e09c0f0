from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("approvals/", views.approvals_awaiting, name="approvals"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("decisions/<int:pk>/", views.decision_record, name="decision"),
]
