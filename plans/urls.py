from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("thread/", views.thread, name="thread"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("updates/<int:pk>/decide/", views.decide_update, name="decide_update"),
]
