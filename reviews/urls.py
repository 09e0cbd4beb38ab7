from django.urls import path

from reviews import views
from reviews.draw import views as draw_views

app_name = "reviews"
urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("assignments/<int:assignment_id>/accept/", views.accept, name="accept"),
    path("assignments/<int:assignment_id>/decline/", views.decline, name="decline"),
    path("reviews/<int:review_id>/", views.review_page, name="review"),
    path("draws/<int:draw_id>/certificate/", draw_views.certificate_page, name="draw-certificate"),
    path("draws/<int:draw_id>/certificate.pdf", draw_views.certificate_download, name="draw-certificate-pdf"),
    path("plans/", views.my_plans, name="my-plans"),
    path("plans/<int:plan_id>/v<int:number>/", views.plan_reader, name="plan-reader"),
    path("plans/<int:plan_id>/v<int:number>/document/", views.plan_document, name="plan-document"),
]
