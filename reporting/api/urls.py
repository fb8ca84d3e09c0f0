"""``/api/``: the REST API's resources, its OpenAPI schema and its docs (Swagger UI from our own static files)."""

from django.urls import path, re_path
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from reporting.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("plan-items", views.PlanItemViewSet, basename="plan_item")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("specifications", views.SpecificationViewSet, basename="specification")
router.register("targets", views.TargetViewSet, basename="target")
router.register("returns", views.ReturnViewSet, basename="return")
router.register("actions", views.ActionViewSet, basename="action")
router.register("action-updates", views.ActionUpdateViewSet, basename="action_update")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("docs/", ensure_csrf_cookie(TemplateView.as_view(template_name="api/docs.html")), name="docs"),
    *router.urls,
    re_path(r"^.*$", views.not_found, name="not_found"),
]
