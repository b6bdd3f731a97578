from django.urls import path

from public.downloads import views

app_name = "downloads"
urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("data/<slug:name>.csv", views.table_csv, name="table_csv"),
    path("data/<slug:name>.json", views.table_json, name="table_json"),
]
