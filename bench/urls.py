from django.urls import include, path

from overworld import urls

from .views import ceiling

urlpatterns = [
    path("bench/ceiling/<int:igdb>", ceiling, name="bench-ceiling"),
    path("", include(urls)),
]

handler400 = urls.handler400
handler404 = urls.handler404
handler500 = urls.handler500
