"""``GET /api/v1/reviews/{id}/honoraria/`` (one row per member: what they are paid, the tax
withheld, whether it was paid) and ``.../honoraria.xlsx`` (the payment sheet). The secretariat
sees every row and the sheet; an expert who sees the review, their own row only; everyone else
404, the same as for a review that does not exist."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from consultations.honoraria import rules, selectors, sheet
from consultations.honoraria.models import Payment
from core.rest import ModelSerializer, TextField
from reviews import selectors as review_selectors


def review_or_404(request, review_id):
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).first()
    if review is None or not rules.may_read_honoraria(request.user, review):
        raise exceptions.NotFound()
    return review


class PaymentSerializer(ModelSerializer):
    expert_name = TextField(source="expert.name", read_only=True)
    basis_text = serializers.SerializerMethodField()
    paid_at = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "expert", "expert_name", "basis", "basis_text", "days", "daily", "gross", "tax", "net",
                  "status", "paid_at"]  # fmt: skip
        read_only_fields = fields

    def get_basis_text(self, payment) -> str:
        return str(payment.basis_display())


class HonorariaListView(generics.ListAPIView):
    """The review's honoraria as computed by the secretariat from attendance (a meeting) or the
    submitted opinions (a written review): ``basis`` (meeting, written), ``days``, the ``daily``
    amount, the ``net`` after tax by the standard, the ``gross`` paid and the ``tax`` withheld
    (as 劳务报酬), ``status`` (to_pay, paid) and ``paid_at``. Amounts are yuan as decimal strings."""

    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        review = review_or_404(self.request, self.kwargs["review_id"])
        return selectors.payments_for(self.request.user, review)


class ErrorsAsJSON(DefaultContentNegotiation):
    """The sheet is a file; an error is JSON whatever the client said it accepts."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class HonorariaSheetView(APIView):
    content_negotiation_class = ErrorsAsJSON

    @extend_schema(
        operation_id="review_honoraria_sheet",
        summary="The payment sheet",
        description=(
            "The secretariat's payment sheet for the finance office (.xlsx): per payment the expert, the "
            "bank, branch, account holder and account number in full, the basis, gross, tax, net, status and "
            "date paid. Each download is recorded in the audit trail (`export`, `bank.unmask`)."
        ),
        responses={(200, sheet.CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The sheet (.xlsx).")},
    )
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.may_manage_honoraria(request.user):
            raise exceptions.NotFound()
        content = sheet.payment_sheet(review, by=request.user, request=request)
        response = HttpResponse(content, content_type=sheet.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="honoraria-{review.pk}.xlsx"'
        return response
