from django.contrib import admin
from django.urls import include, path

from companies.views import home

admin.site.site_header = "EV Entry Tracker — editors"
admin.site.site_title = "EV Entry Tracker admin"
admin.site.index_title = "Curate companies, deals and sources"

urlpatterns = [
    path("", home, name="home"),
    path("", include("companies.urls")),
    path("", include("sources.urls")),
    path("admin/", admin.site.urls),
]
