"""Forms of the roster: the secretariat's (Wagtail admin) and the expert's own (portal)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from experts import services
from experts.models import Conflict, Domain, Expert, Organization
from experts.photos import process_photo

PUBLIC_FIELD_LABELS = {
    "title": _("Professional title"),
    "position": _("Position"),
    "employer": _("Employer"),
    "domains": _("Domains"),
    "biography": _("Biography"),
    "photo": _("Photo"),
}


def apply_errors(form, error):
    """A service's ``ValidationError`` on ``form``: each field's messages on the field, the rest
    (and fields the form lacks) above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def check_photo(upload):
    """Run the photo checks at form time, so a refusal shows on the field; stores nothing."""
    if upload:
        process_photo(upload)
        upload.seek(0)
    return upload


class ExpertAdminForm(WagtailAdminModelForm):
    """Create and edit an expert in the back office. Status is not here: it changes only through
    suspend, renew and dismiss, each with a reason."""

    domains = forms.ModelMultipleChoiceField(
        Domain.objects.order_by("code"), label=_("Domains"), required=False, widget=forms.CheckboxSelectMultiple
    )
    public_fields = forms.MultipleChoiceField(
        choices=list(PUBLIC_FIELD_LABELS.items()),
        label=_("Shown on the public site"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo_upload = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 40 million pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    username = forms.CharField(
        label=_("Account username"),
        required=False,
        max_length=150,
        help_text=_("Creates the expert's sign-in account. Leave empty to add it later."),
    )
    initial_status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Expert.Status.CANDIDATE, Expert.Status.CANDIDATE.label),
            (Expert.Status.ACTIVE, Expert.Status.ACTIVE.label),
        ],
        initial=Expert.Status.CANDIDATE,
        required=False,
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=300, help_text=_("Kept in the history.")
    )
    clear_mobile = forms.BooleanField(label=_("Remove the mobile number on record"), required=False)
    clear_email = forms.BooleanField(label=_("Remove the email address on record"), required=False)
    clear_account_number = forms.BooleanField(label=_("Remove the bank details on record"), required=False)

    class Meta:
        model = Expert
        fields = [
            "key",
            "name",
            "category",
            "title",
            "title_level",
            "position",
            "employer",
            "primary_domain",
            "domains",
            "specialties",
            "biography",
            "mobile",
            "email",
            "preferred_channel",
            "eminent",
            "bank_name",
            "bank_branch",
            "account_holder",
            "account_number",
            "term_start",
            "term_end",
            "appointment_letter",
            "public_fields",
            "manual_order",
        ]
        widgets = {
            "term_start": forms.DateInput(attrs={"type": "date"}),
            "term_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False
        self.fields["key"].help_text = _("Leave empty to have one made. It never changes afterwards.")
        self.fields["employer"].queryset = Organization.objects.order_by("name")
        self.fields["preferred_channel"].required = False  # not sent (a script, an older form): kept
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.fields.pop("username")
            self.fields.pop("initial_status")
            self._mask_contact()
        else:
            for name in ("change_reason", "clear_mobile", "clear_email", "clear_account_number"):
                self.fields.pop(name)

    def _mask_contact(self):
        """Editing does not show contact details (experts/privacy.py): the fields start empty,
        say what is there masked, and an empty field keeps the value."""
        from experts.banking import bank_details_for
        from experts.privacy import contact_for

        masked = contact_for(None, self.instance) | bank_details_for(None, self.instance)
        for name in ("mobile", "email", "account_number"):
            self.initial[name] = ""
            self.fields[name].help_text = _("Now: %(value)s. Leave empty to keep it.") % {"value": masked[name] or "—"}

    def _kept(self, name):
        """What the field saves: the value typed; on an edit, nothing typed keeps the value on
        record unless "remove" is ticked (the masked field cannot be emptied to mean that)."""
        value = self.cleaned_data.get(name)
        if value or not self.instance.pk:
            return value
        if self.data.get(self.add_prefix(f"clear_{name}")):
            return ""
        return getattr(self.instance, name)

    def clean_preferred_channel(self):
        return self.cleaned_data.get("preferred_channel") or self.instance.preferred_channel or Expert.Channel.BOTH

    def clean_mobile(self):
        try:
            return services.clean_mobile(self._kept("mobile"))
        except ValidationError as error:
            raise ValidationError(error.message_dict["mobile"])

    def clean_email(self):
        return self._kept("email")

    def clean_account_number(self):
        return self._kept("account_number")

    def clean_photo_upload(self):
        return check_photo(self.cleaned_data.get("photo_upload"))

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = (self.cleaned_data.get("username") or "").strip()
        if username and get_user_model().objects.filter(username=username).exists():
            raise ValidationError(_("This username is already taken."))
        return username

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        for name in ("mobile", "email", "account_number"):
            if data.get(f"clear_{name}") and self.data.get(self.add_prefix(name), "").strip():
                self.add_error(f"clear_{name}", _("Either type a new value or remove it, not both."))
        if data.get("clear_account_number"):  # the bank details go with their account number
            data.update(bank_name="", bank_branch="", account_holder="")
        return data

    def service_fields(self):
        """The cleaned model fields as keyword arguments for the services."""
        data = self.cleaned_data
        names = [n for n in ExpertAdminForm.Meta.fields if n not in ("domains", "key")]
        return {name: data.get(name) for name in names if name in data}, [d.code for d in data.get("domains") or []]


class StatusForm(forms.Form):
    ACTIONS = [
        ("activate", _("Appoint (make active)")),
        ("suspend", _("Suspend")),
        ("renew", _("Renew the term")),
        ("dismiss", _("Dismiss")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    term_start = forms.DateField(
        label=_("New term start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("New term end"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    appointment_letter = forms.CharField(label=_("Appointment letter number"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("action") == "renew" and not data.get("term_end"):
            self.add_error("term_end", _("A renewal needs the new term's end."))
        return data


class ImportForm(forms.Form):
    workbook = forms.FileField(label=_("Workbook (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ImportConfirmForm(forms.Form):
    run = forms.CharField(widget=forms.HiddenInput, max_length=64)
    skip_errors = forms.BooleanField(label=_("Skip the rows with errors and import the others"), required=False)


# --- the expert's own page ------------------------------------------------------------------


class ContactForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Notices reach me by"), choices=Expert.Channel.choices, initial=Expert.Channel.BOTH, required=False
    )
    biography = forms.CharField(
        label=_("Biography"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean_mobile(self):
        try:
            return services.clean_mobile(self.cleaned_data.get("mobile"))
        except ValidationError as error:
            raise ValidationError(error.message_dict["mobile"])


class BankForm(forms.Form):
    """The expert's own bank details, where honoraria are paid (checked by experts/banking.py)."""

    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_branch = forms.CharField(label=_("Bank branch"), max_length=100, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=50, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("New photo"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self):
        return check_photo(self.cleaned_data.get("photo"))


class UnavailabilityForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["organization", "reason", "until"]
        widgets = {"until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")
