from django.urls import path

from public import company_views as views
from public.feeds import NewDealsFeed

app_name = "companies"
urlpatterns = [
    path("companies/", views.CompanyListView.as_view(), name="company_list"),
    path("companies/<slug:slug>/", views.CompanyDetailView.as_view(), name="company_detail"),
    path("deals/", views.DealListView.as_view(), name="deal_list"),
    path("deals/<slug:slug>/", views.DealDetailView.as_view(), name="deal_detail"),
    path("feeds/deals/", NewDealsFeed(), name="deal_feed"),
]
