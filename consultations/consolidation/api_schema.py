"""The shapes of the consolidation API's answers, for the OpenAPI schema (drf-spectacular): what
``api.consolidation_json`` writes, field by field. Documentation only: the views build the JSON
(but for ``AnswersDueWrite``, the PATCH's body, which the view validates with)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from consultations.responses.models import Response
from core.rest import TextField


class ScoreRead(serializers.Serializer):
    label = TextField()
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    stdev = serializers.FloatField(allow_null=True)


class PointResponseRead(serializers.Serializer):
    status = serializers.ChoiceField(choices=Response.Status.choices)
    reason = TextField(allow_blank=True)
    at = serializers.DateTimeField()


class ConsolidatedPointRead(serializers.Serializer):
    id = serializers.IntegerField()
    section = TextField(allow_blank=True)
    text = TextField(allow_blank=True)
    author = TextField(help_text="The expert's name, or their letter (Expert A) where names are hidden.")
    response = PointResponseRead(allow_null=True)


class DissentPointRead(serializers.Serializer):
    id = serializers.IntegerField()
    section = TextField(allow_blank=True)
    text = TextField(allow_blank=True)


class DissentRead(serializers.Serializer):
    opinion = serializers.IntegerField()
    author = TextField()
    conclusion = TextField(help_text="agree, agree_with_revisions, disagree or abstain.")
    summary = TextField(allow_blank=True)
    points = DissentPointRead(many=True)


class ConfirmationRead(serializers.Serializer):
    expert = serializers.IntegerField(
        allow_null=True, help_text="The expert's id; null where the reader sees letters instead of names."
    )
    name = TextField(help_text="The expert's name, or their letter (Expert A) where names are hidden.")
    kind = TextField(
        help_text="confirm, reservation (confirmed with reservations), refusal (refused to sign), "
        "no_answer (recorded at the seal for a member who did not answer)."
    )
    text = TextField(allow_blank=True, help_text="The reservations or the reason for a refusal.")
    at = serializers.DateTimeField()


class FieldChangeRead(serializers.Serializer):
    field = TextField(help_text="conclusion, summary, scores, or points.<id>.")
    before = TextField(allow_blank=True)
    after = TextField(allow_blank=True)


class ChangeRead(serializers.Serializer):
    number = serializers.IntegerField(help_text="The kept version's number.")
    kind = TextField(help_text="What kept the version: submitted, addendum, named or merged.")
    at = serializers.DateTimeField()
    changes = FieldChangeRead(many=True, help_text="What changed from the version before.")


class IndependenceRead(serializers.Serializer):
    opinion = serializers.IntegerField()
    author = TextField()
    read_others_at = serializers.DateTimeField(
        allow_null=True, help_text="When the author could first read the others' opinions; null: never."
    )
    changed_after_reading_others = serializers.BooleanField()
    changes = ChangeRead(many=True, help_text="The versions kept after that moment.")


class ConsolidationRead(serializers.Serializer):
    review = serializers.IntegerField()
    tallies = serializers.DictField(child=serializers.IntegerField(), help_text="conclusion → count")
    scores = serializers.DictField(child=ScoreRead(), help_text="criterion → statistics")
    agreement = serializers.ChoiceField(choices=["unanimous", "mixed", "conflicting", ""])
    points = ConsolidatedPointRead(many=True)
    dissent = DissentRead(many=True)
    group_opinion = TextField(allow_blank=True)
    version = serializers.IntegerField()
    digest = TextField(allow_blank=True)
    confirm_by = serializers.DateTimeField(allow_null=True, help_text="The confirmation deadline; null: none set.")
    answers_due_on = serializers.DateField(
        allow_null=True, help_text="The day the answers to the points are due (the commission's); null: none set."
    )
    sealed_at = serializers.DateTimeField(allow_null=True)
    sealed_by = serializers.ChoiceField(
        choices=["chair", "secretariat", "all_answered", "deadline"],
        allow_null=True,
        help_text="Who sealed it: the chair, the secretariat, the last answer (all_answered) or the "
        "deadline task (deadline); null while unsealed.",
    )
    confirmations = ConfirmationRead(many=True, help_text="The panel's answers to the current version.")
    independence = IndependenceRead(many=True, help_text="For each sealed opinion, the independence record.")


class AnswersDueWrite(serializers.Serializer):
    """The body of a PATCH of the consolidation (the commission): the answers' due date only.
    This one also checks the request: any other field is a 400 naming it."""

    answers_due_on = serializers.DateField(
        allow_null=True, help_text="The day the answers to the points are due (YYYY-MM-DD); null clears it."
    )
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Used only when If-Match is missing."
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            message = _("A PATCH changes answers_due_on only; the group opinion is written with PUT.")
            raise serializers.ValidationError({name: [message] for name in unknown})
        return attrs
