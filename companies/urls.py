from django.urls import path

from companies import views

app_name = "companies"
urlpatterns = [
    path("companies/<slug:slug>/", views.CompanyDetailView.as_view(), name="company_detail"),
    path("deals/<slug:slug>/", views.DealDetailView.as_view(), name="deal_detail"),
]
