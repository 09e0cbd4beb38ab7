from django.urls import path

from . import views

app_name = "consultations"
urlpatterns = [
    path("reviews/<int:review_id>/opinion/", views.write, name="write"),
    path("reviews/<int:review_id>/opinion/submit/", views.submit, name="submit"),
    path("reviews/<int:review_id>/opinions/", views.opinions, name="opinions"),
    path("reviews/<int:review_id>/board/", views.board, name="board"),
    path("reviews/<int:review_id>/discussion/", views.discussion, name="discussion"),
    path("reviews/<int:review_id>/comments/", views.comment, name="comment"),
    path("opinions/<int:opinion_id>/versions/", views.versions, name="versions"),
]
