"""Scoring criteria are keys, named in the reader's language by ``reviews.criteria.label``: 必要性,
可行性, 科学性 on Chinese pages, in the API by Accept-Language, in the consolidation, its chart
and its spreadsheet; a criterion the secretariat named keeps its name; the migration drops the
English names stored before."""

import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from consultations.consolidation import charts, documents, selectors
from reviews import criteria
from reviews.models import Review
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review
from tests.reviews.conftest import schedule

pytestmark = pytest.mark.django_db

ZH = ["必要性", "可行性", "科学性"]
EN = ["Necessity", "Feasibility", "Scientific soundness"]
OWN = [{"key": "necessity", "label": "立项必要性", "max": 10}, {"key": "extra1", "label": "创新性", "max": 5}]


def test_a_new_review_stores_the_known_keys_without_a_name(review):
    assert review.criteria == [{"key": k, "max": 10} for k in ("necessity", "feasibility", "soundness")]


def test_the_known_keys_are_named_in_the_active_language():
    for code, names in (("zh-hans", ZH), ("en", EN)):
        with translation.override(code):
            assert [criteria.label(c) for c in criteria.defaults()] == names


def test_a_criterion_the_secretariat_named_keeps_its_name_and_a_stored_known_name_is_translated():
    stored = [{"key": "feasibility", "label": "Feasibility"}, {"key": "soundness", "label": "科学性"}]
    rows = [*OWN, *stored, {"key": "k9"}]
    with translation.override("zh-hans"):
        assert [criteria.label(c) for c in rows] == ["立项必要性", "创新性", "可行性", "科学性", "k9"]
        assert criteria.label_of(rows, "extra1") == "创新性"
        assert criteria.label_of(rows, "gone") == "gone"
    with translation.override("en"):
        assert [criteria.label(c) for c in rows] == ["立项必要性", "创新性", *EN[1:], "k9"]


def test_the_review_page_names_the_criteria_in_the_readers_language(client, review, plan, secretariat_user):
    own = schedule(plan, secretariat_user, criteria=OWN)
    client.force_login(secretariat_user)

    zh = client.get(reverse("reviews:review", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(reverse("reviews:review", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    named = client.get(reverse("reviews:review", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert all(f"<li>{name}</li>" in zh for name in ZH) and "Necessity" not in zh
    assert all(f"<li>{name}</li>" in en for name in EN)
    assert "<li>立项必要性</li>" in named and "<li>创新性</li>" in named


def test_the_api_names_the_criteria_by_accept_language(api_as, review, secretariat_user):
    client = api_as(secretariat_user)
    url = f"/api/v1/reviews/{review.pk}/"

    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["criteria"]
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["criteria"]

    assert zh == [{"key": k, "max": 10, "label": n} for k, n in zip(("necessity", "feasibility", "soundness"), ZH,
                                                                     strict=True)]  # fmt: skip
    assert [c["label"] for c in en] == EN


def test_the_write_and_opinions_pages_name_the_scores(client, secretariat_user):
    review = closed_review(secretariat_user)
    author = panel_of(review)[0].expert.user
    client.force_login(author)

    write = client.get(reverse("consultations:write", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    opinions = client.get(reverse("consultations:opinions", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert write.status_code == opinions.status_code == 200
    assert all(name in write.content.decode() for name in ZH)
    assert "必要性: 9" in opinions.content.decode() and "necessity:" not in opinions.content.decode()


def test_the_consolidation_its_api_chart_and_spreadsheet_name_the_criteria(api_as, secretariat_user):
    review = closed_review(secretariat_user)
    client = api_as(secretariat_user)
    url = f"/api/v1/reviews/{review.pk}/consolidation/"

    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["scores"]
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["scores"]
    with translation.override("zh-hans"):
        data = selectors.consolidate(review)
        chart = charts.spread_chart(data["scores"])
        sheet = load_workbook(io.BytesIO(documents.xlsx_bytes(data)))["scores"]

    assert [zh[k]["label"] for k in ("necessity", "feasibility", "soundness")] == ZH
    assert [en[k]["label"] for k in ("necessity", "feasibility", "soundness")] == EN
    assert all(f">{name}</text>" in chart for name in ZH)
    assert [cell.value for cell in sheet[1]][2:5] == ZH


def test_the_migration_drops_the_stored_english_names_and_keeps_the_secretariats(review, plan, secretariat_user):
    migration = importlib.import_module("reviews.migrations.0007_criteria_as_keys")
    stored = [{"key": k, "label": n, "max": 10} for k, n in zip(("necessity", "feasibility", "soundness"), EN,
                                                                 strict=True)]  # fmt: skip
    Review.objects.filter(pk=review.pk).update(criteria=stored)
    own = schedule(plan, secretariat_user, criteria=OWN)

    migration.forwards(apps, None)
    after = (Review.objects.get(pk=review.pk).criteria, Review.objects.get(pk=own.pk).criteria)
    migration.backwards(apps, None)
    back = (Review.objects.get(pk=review.pk).criteria, Review.objects.get(pk=own.pk).criteria)

    assert after == (criteria.defaults(), OWN)
    assert back == (stored, OWN)
