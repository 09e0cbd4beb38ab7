from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from cms import feeds, views

urlpatterns = [
    path("search/", views.search, name="site-search"),
    path("feeds/news/", feeds.NewsFeed(), name="feed-news"),
    path("feeds/notices/", feeds.NoticeFeed(), name="feed-notices"),
    path("sitemap.xml", sitemap, name="sitemap"),
]
