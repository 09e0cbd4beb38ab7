from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("assignments/<int:assignment_id>/accept/", views.accept, name="accept"),
    path("assignments/<int:assignment_id>/decline/", views.decline, name="decline"),
    path("reviews/<int:review_id>/", views.review_page, name="review"),
    path("plans/", views.my_plans, name="my-plans"),
    path("plans/<int:plan_id>/v<int:number>/", views.plan_reader, name="plan-reader"),
    path("plans/<int:plan_id>/v<int:number>/document/", views.plan_document, name="plan-document"),
]
