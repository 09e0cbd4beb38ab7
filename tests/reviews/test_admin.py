from datetime import timedelta

from django.utils import timezone, translation

from reviews.models import Draw, Review
from tests.conftest import make_user


def test_secretariat_schedules_and_draws_in_the_admin(client, secretariat_user, plan, roster, domain):
    client.force_login(secretariat_user)
    now = timezone.localtime() + timedelta(days=5)
    form = {
        "plan": plan.pk,
        "mode": "written",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "panel_size": 5,
        "required_domains": [domain.pk],
        "blind": "until_own_submission",
        "load_cap_per_quarter": 4,
    }

    scheduled = client.post("/admin/reviews/schedule/", form)
    review = Review.objects.get()
    drawn = client.post(f"/admin/reviews/{review.pk}/draw/", {"action": "draw", "seed": "公证员 12345"})  # ignored
    page = client.get(f"/admin/reviews/{review.pk}/draw/")
    verified = client.post(f"/admin/reviews/{review.pk}/draw/", {"action": "verify"})

    assert scheduled.status_code == 302
    assert drawn.status_code == 302
    draw = Draw.objects.get()
    html = page.content.decode()
    assert draw.seed_source == Draw.SeedSource.UNWITNESSED
    assert draw.seed != "公证员 12345"
    with translation.override("zh-hans"):  # the admin's language
        label = str(Draw.SeedSource.UNWITNESSED.label)
    assert f'data-testid="seed-source"><strong>{label}</strong>' in html
    assert draw.pool_hash in html
    assert 'data-testid="pool-size">12<' in html
    assert 'data-testid="verification">' in verified.content.decode()
    assert "验证通过: 按记录重新抽取，得到相同的专家组和候补专家。" in verified.content.decode()  # zh-hans first


def test_secretariat_commits_then_reveals_in_the_admin(client, secretariat_user, review):
    from tests.reviews.test_draw_commitment import INPUTS, SIGNATURE, VALUE, committed

    client.force_login(secretariat_user)
    commitment = committed(review, secretariat_user)
    waiting = client.get(f"/admin/reviews/{review.pk}/draw/").content.decode()
    short = client.post(
        f"/admin/reviews/{review.pk}/draw/",
        {"action": "reveal", "beacon_value": VALUE, "beacon_signature": SIGNATURE, "witness_0": INPUTS[0]},
    )
    revealed = client.post(
        f"/admin/reviews/{review.pk}/draw/",
        {"action": "reveal", "beacon_value": VALUE, "beacon_signature": SIGNATURE, "witness_0": INPUTS[0],
         "witness_1": INPUTS[1]},
    )  # fmt: skip
    page = client.get(f"/admin/reviews/{review.pk}/draw/").content.decode()

    assert f'data-testid="commitment-digest">{commitment.digest}<' in waiting
    assert 'data-testid="reveal-form"' in waiting
    assert short.status_code == 200
    assert 'role="alert"' in short.content.decode()
    assert revealed.status_code == 302
    draw = Draw.objects.get()
    assert draw.witness_inputs == INPUTS
    assert f'data-testid="beacon-value">{VALUE}<' in page


def test_a_public_round_is_refused_on_the_commit_form(client, secretariat_user, review):
    client.force_login(secretariat_user)
    form = {"action": "commit", "source": "drand quicknet", "round": "657413", "witnesses": "公证员 王某\n纪检 李某"}

    response = client.post(f"/admin/reviews/{review.pk}/draw/", form)

    assert response.status_code == 200
    assert 'data-testid="error-round"' in response.content.decode()
    review.refresh_from_db()
    assert review.state == Review.State.DRAFT


def test_draw_page_groups_exclusions_with_names(client, secretariat_user, drawn, domain):
    from tests.reviews.conftest import add_expert

    suspended = add_expert(70, domain=domain, status="suspended")
    from reviews.draw import services as draw_services
    from tests.reviews.conftest import schedule

    review = schedule(drawn.plan, secretariat_user)
    draw_services.draw_for_review(review, by=secretariat_user)
    client.force_login(secretariat_user)

    html = client.get(f"/admin/reviews/{review.pk}/draw/").content.decode()

    assert f'<p data-rule="inactive">{suspended.name}</p>' in html


def test_board_lists_the_panel(client, secretariat_user, drawn):
    client.force_login(secretariat_user)

    html = client.get(f"/admin/reviews/{drawn.pk}/board/").content.decode()

    assert html.count('data-testid="assignment-state"') == 5


def test_review_screens_are_for_the_secretariat_only(client, drawn):
    client.force_login(make_user("commission", username="ndrc2"))

    codes = [client.get(f"/admin/reviews/{drawn.pk}/{page}/").status_code for page in ("draw", "board")]

    assert all(code in (302, 403) for code in codes)


def test_plan_added_in_the_admin_records_its_drafters(client, secretariat_user, submitter, roster, domain):
    from reviews.models import Plan
    from tests.reviews.conftest import docx_upload

    client.force_login(secretariat_user)
    form = {
        "title": "新能源汽车产业规划",
        "kind": "special_plan",
        "submitted_by": submitter.pk,
        "domains": [domain.pk],
        "document": docx_upload(),
        "drafters": [roster[0].pk, roster[1].pk],
    }

    response = client.post("/admin/reviews/plans/", form)

    assert response.status_code == 302
    version = Plan.objects.get(title="新能源汽车产业规划").versions.get()
    assert sorted(version.drafters.values_list("pk", flat=True)) == sorted([roster[0].pk, roster[1].pk])


def test_version_added_in_the_admin_records_its_drafters(client, secretariat_user, drawn, roster):
    from tests.reviews.conftest import docx_upload

    client.force_login(secretariat_user)
    url = f"/admin/reviews/plans/{drawn.plan_id}/versions/"
    page = client.get(url)

    response = client.post(url, {"document": docx_upload(), "drafters": [roster[3].pk]})

    assert page.status_code == 200 and 'name="drafters"' in page.content.decode()
    assert response.status_code == 302
    newest = drawn.plan.versions.order_by("-number").first()
    assert newest.number == 2
    assert list(newest.drafters.values_list("pk", flat=True)) == [roster[3].pk]


def test_version_with_a_file_that_is_not_a_document_is_refused_on_the_page_and_nothing_kept(
    client, secretariat_user, drawn
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat_user)

    response = client.post(
        f"/admin/reviews/plans/{drawn.plan_id}/versions/",
        {"document": SimpleUploadedFile("plan.docx", b"not a zip", content_type="application/octet-stream")},
    )

    assert response.status_code == 200
    assert "该文件扩展名为 .docx，但不是 Word 文档。" in response.content.decode()  # zh-hans by default
    assert drawn.plan.versions.count() == 1


def test_add_version_page_is_for_the_secretariat_only(client, drawn):
    client.force_login(make_user("commission", username="ndrc3"))

    assert client.get(f"/admin/reviews/plans/{drawn.plan_id}/versions/").status_code in (302, 403)


def test_a_review_scheduled_in_the_admin_before_1901_is_refused_on_the_page(client, secretariat_user, plan, domain):
    # Asia/Shanghai kept local mean time (+08:05:43) until 1901: not writable back as RFC 3339.
    client.force_login(secretariat_user)
    form = {
        "plan": plan.pk,
        "mode": "written",
        "opens_at": "1900-06-01T09:00",
        "due_at": "1900-06-15T09:00",
        "panel_size": 5,
        "required_domains": [domain.pk],
        "blind": "until_own_submission",
        "load_cap_per_quarter": 4,
    }

    response = client.post("/admin/reviews/schedule/", form)

    assert response.status_code == 200
    assert "请填写 1901 年及以后的时间。" in response.content.decode()
    assert not Review.objects.exists()
