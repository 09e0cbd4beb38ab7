"""The secretariat's review screens in the Wagtail admin, under one "Reviews" menu."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from reviews import admin_views, rules
from reviews.draw import batch_views

app_name = "reviews_admin"
urlpatterns = [
    path("", admin_views.reviews_view, name="index"),
    path("plans/", admin_views.plans_view, name="plans"),
    path("plans/<int:plan_id>/versions/", admin_views.add_version_view, name="add_version"),
    path("schedule/", admin_views.schedule_view, name="schedule"),
    path("<int:review_id>/draw/", admin_views.draw_view, name="draw"),
    path("<int:review_id>/board/", admin_views.board_view, name="board"),
    path("batch-draw/", batch_views.batch_draw_view, name="batch_draw"),
    path("batch-draw/<str:batch>/", batch_views.batch_draw_result_view, name="batch_draw_result"),
]


@hooks.register("register_admin_urls")
def register_review_urls():
    return [path("reviews/", include((urlpatterns, "reviews_admin"), namespace="reviews_admin"))]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_use_review_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_reviews_menu():
    menu = Menu(
        items=[
            SecretariatMenuItem(_("Plans"), reverse("reviews_admin:plans"), icon_name="doc-full", order=100),
            SecretariatMenuItem(_("Reviews"), reverse("reviews_admin:index"), icon_name="list-ul", order=200),
            SecretariatMenuItem(_("Schedule a review"), reverse("reviews_admin:schedule"), icon_name="date", order=300),
            SecretariatMenuItem(
                _("Batch draw"), reverse("reviews_admin:batch_draw"), icon_name="crosshairs", order=400
            ),
        ]
    )
    return SubmenuMenuItem(_("Reviews"), menu, icon_name="crosshairs", order=300)
