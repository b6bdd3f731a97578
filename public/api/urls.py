from django.urls import path
from rest_framework.routers import SimpleRouter

from public.api import views

# SimpleRouter: list and detail by slug, no format suffixes (JSON is the one format).
router = SimpleRouter()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("deals", views.DealViewSet, basename="deal")
router.register("sources", views.SourceViewSet, basename="source")
router.register("excerpts", views.ExcerptViewSet, basename="excerpt")
router.register("stories", views.StoryViewSet, basename="story")

app_name = "api"
urlpatterns = [
    path("", views.api_root, name="root"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *router.urls,
]
