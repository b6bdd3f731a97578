from django.urls import path

from public.downloads import datapackage, views

app_name = "downloads"
urlpatterns = [
    path("data/", views.data_page, name="data"),
    # Before the tables' patterns, which would take "datapackage" for a table's name.
    path("data/datapackage.json", datapackage.datapackage_json, name="datapackage"),
    path("data/<slug:name>.csv", views.table_csv, name="table_csv"),
    path("data/plain/<slug:name>.csv", views.table_csv_plain, name="table_csv_plain"),
    path("data/<slug:name>.json", views.table_json, name="table_json"),
]
