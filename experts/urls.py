"""The expert's own pages in the portal (included once from config/urls.py)."""

from django.urls import path

from experts import views
from experts.notices import views as notice_views

urlpatterns = [
    path("sms/receipts/<slug:provider>/", notice_views.receipt_callback, name="sms-receipts"),
    path("portal/profile/", views.profile, name="expert-profile"),
    path("portal/profile/contact/", views.update_contact, name="expert-profile-contact"),
    path("portal/profile/bank/", views.update_bank, name="expert-profile-bank"),
    path("portal/profile/photo/", views.update_photo, name="expert-profile-photo"),
    path("portal/profile/unavailable/", views.add_period, name="expert-profile-period-add"),
    path("portal/profile/unavailable/<int:pk>/remove/", views.remove_period, name="expert-profile-period-remove"),
    path("portal/profile/conflicts/", views.declare_conflict, name="expert-profile-conflict-add"),
    path(
        "portal/profile/conflicts/<int:pk>/withdraw/", views.withdraw_conflict, name="expert-profile-conflict-withdraw"
    ),
]
