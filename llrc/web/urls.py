from django.urls import path

from llrc.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource"),
    path("resources/<int:resource_id>/citation.ris", views.resource_ris, name="resource-ris"),
    path("resources/<int:resource_id>/citation.bib", views.resource_bibtex, name="resource-bibtex"),
    path("collections/<slug:slug>/", views.collection_detail, name="collection"),
    path("about/demo", views.about_demo, name="about-demo"),
    path("help/search", views.help_search, name="help-search"),
]
