"""Staff's previews of records not yet published (public/preview_views.py), one per kind of
record page, named after the model so `reverse(f"preview:{model_name}")` finds each."""

from django.urls import path

from public import preview_views as views

app_name = "preview"
urlpatterns = [
    path("companies/<slug:slug>/", views.preview_company, name="company"),
    path("deals/<slug:slug>/", views.preview_deal, name="deal"),
    path("sources/<slug:slug>/", views.preview_source, name="source"),
]
