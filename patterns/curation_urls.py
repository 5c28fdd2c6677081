from django.urls import path

from patterns import curation_views

app_name = "curation"
urlpatterns = [
    path("", curation_views.overview, name="overview"),
    path("publish/", curation_views.publish, name="publish"),
    path("versions/<int:number>/rollback/", curation_views.rollback, name="rollback"),
    path("diff/", curation_views.diff, name="diff"),
    path("heatmap/", curation_views.heatmap_view, name="heatmap"),
    path("fit/<int:pk>/", curation_views.fit_edit, name="fit"),
    path("patterns/<slug:slug>/", curation_views.pattern_audit, name="pattern_audit"),
]
