"""The forms of honoraria: a payment date, and the committee's rates (checked by the service,
which names the standard's range)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.honoraria import rates
from consultations.honoraria.models import Rate


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    payment = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class RatesForm(forms.Form):
    """One field per rate; the range is checked by ``services.set_rates`` (one rule, one message)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in Rate.Key.choices:
            self.fields[key] = forms.CharField(label=label, max_length=20, help_text=rates.range_message(key))
