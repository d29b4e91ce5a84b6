from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from llrc.api.reference import reference as api_reference
from llrc.api.urls import api
from llrc.web import views as web_views

# Machine endpoints are language-neutral; pages carry a language prefix (DESIGN.md, URLs).
urlpatterns = [
    path("api/v1/docs", api_reference, name="api-docs"),
    path("api/v1/", api.urls),
    path("healthz", web_views.healthz, name="healthz"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("robots.txt", web_views.robots_txt, name="robots-txt"),
    path("files/<int:file_id>/<str:name>", web_views.download_file, name="file-download"),
    path("", web_views.root_redirect, name="root"),
    path("language/<str:code>", web_views.choose_language, name="choose-language"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("llrc.web.urls")),
    prefix_default_language=True,
)

handler400 = "llrc.web.views.bad_request"
handler404 = "llrc.web.views.page_not_found"
handler500 = "llrc.web.views.server_error"
