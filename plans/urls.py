from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("approvals/", views.approvals_awaiting, name="approvals"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
]
