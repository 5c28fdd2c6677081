from django.urls import path

from patterns import views

app_name = "patterns"
urlpatterns = [
    path("patterns/", views.catalog, name="catalog"),
    path("patterns/compare/", views.compare, name="compare"),
    path("patterns/<slug:slug>/", views.pattern_detail, name="detail"),
    path("checklist/", views.checklist, name="checklist"),
]
