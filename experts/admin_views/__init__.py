"""The secretariat's roster screens in the Wagtail admin (``experts/wagtail_hooks.py`` registers
them): ``roster`` (the list, the expert's page with its history and participation record,
create and edit through the services), ``actions`` (status changes with a reason, showing
contact details), ``workbook`` (the import and the export). Who may open them is
``rules.may_manage_roster``; the services check the actor again."""
