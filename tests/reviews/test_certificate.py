"""The draw certificate: a page and a PDF with the commitment, the public value, the witness
inputs, the panel and alternates in order, the exclusions by rule and a QR code of the record."""

import io

import pytest
from django.urls import reverse

from experts.models import Expert
from reviews.draw import certificate
from reviews.draw.commitment import reveal_draw
from tests.reviews.test_draw_commitment import INPUTS, SIGNATURE, VALUE, WITNESSES, committed


def names_in_order(ids):
    names = dict(Expert.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[i] for i in ids]


def pdf_text(data):
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_secretariat_reads_the_certificate_page(client, secretariat_user, drawn):
    draw = drawn.draw
    client.force_login(secretariat_user)

    response = client.get(reverse("reviews:draw-certificate", args=[draw.pk]), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    listed = page.split('data-testid="certificate-panel">', 1)[1].split("</ol>", 1)[0]
    names = names_in_order(draw.selected)
    expected = [f"<li>{name} (#{pk})</li>" for pk, name in zip(draw.selected, names, strict=True)]
    assert listed == "".join(expected)
    assert draw.seed in page
    assert draw.pool_hash in page
    assert "<svg" in page
    assert f"/api/v1/draws/{draw.pk}/record/" in page


def test_certificate_pdf_carries_the_panel_and_the_seed(client, secretariat_user, drawn):
    draw = drawn.draw
    client.force_login(secretariat_user)

    response = client.get(reverse("reviews:draw-certificate-pdf", args=[draw.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for name in names_in_order(draw.selected + draw.alternates):
        assert name in text
    assert draw.seed[:16] in text.replace("\n", "")


def test_certificate_qr_holds_the_record_address():
    svg = certificate.qr_svg("https://example.org/api/v1/draws/7/record/")

    assert svg.startswith("<svg")
    assert svg != certificate.qr_svg("https://example.org/api/v1/draws/8/record/")


@pytest.mark.parametrize("who", ["department_staff", "commission_user", "outsider"])
def test_certificate_of_an_open_panel_is_404_outside_the_secretariat(client, drawn, who, request):
    from experts import roles
    from tests.conftest import make_user

    user = make_user(roles.EXPERT, username="outsider") if who == "outsider" else request.getfixturevalue(who)
    client.force_login(user)

    page = client.get(reverse("reviews:draw-certificate", args=[drawn.draw.pk]))
    pdf = client.get(reverse("reviews:draw-certificate-pdf", args=[drawn.draw.pk]))

    assert (page.status_code, pdf.status_code) == (404, 404)


def test_certificate_of_a_missing_draw_is_404(client, secretariat_user, db):
    client.force_login(secretariat_user)

    assert client.get(reverse("reviews:draw-certificate", args=[999999])).status_code == 404


def test_certificate_of_a_witnessed_draw_names_the_witnesses_and_their_inputs(client, secretariat_user, review):

    commitment = committed(review, secretariat_user)
    draw = reveal_draw(
        review, by=secretariat_user, beacon_value=VALUE, beacon_signature=SIGNATURE, witness_inputs=INPUTS
    )
    client.force_login(secretariat_user)

    page = client.get(reverse("reviews:draw-certificate", args=[draw.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = pdf_text(client.get(reverse("reviews:draw-certificate-pdf", args=[draw.pk])).content)

    assert "Witnessed draw" in page
    for name, given in zip(WITNESSES, INPUTS, strict=True):
        assert f"<td>{name}</td><td>{given}</td>" in page
        assert given in text
    assert commitment.digest in page
    assert VALUE in page


def test_certificate_of_an_unwitnessed_draw_says_so(client, secretariat_user, drawn):
    client.force_login(secretariat_user)

    page = client.get(reverse("reviews:draw-certificate", args=[drawn.draw.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert "Unwitnessed draw: system randomness" in page.content.decode()
