from django.urls import path

from public import source_views as views

app_name = "sources"
urlpatterns = [
    path("sources/", views.SourceListView.as_view(), name="source_list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source_detail"),
]
