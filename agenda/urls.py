from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("e/<slug:slug>/", views.home, name="home"),
    path("e/<slug:slug>/wall/", views.wall, name="wall"),
    path("e/<slug:slug>/sessions/<int:pk>/", views.topic_detail, name="topic"),
]
