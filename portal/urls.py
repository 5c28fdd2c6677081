from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views

admin.site.site_header = "Integration decision portal: curation"
admin.site.site_title = "Integration portal admin"
admin.site.index_title = "Curate the catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("patterns.urls")),
]
