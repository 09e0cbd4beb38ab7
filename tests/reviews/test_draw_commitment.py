"""Commit, then reveal: the commitment freezes the pool and names a future public value and the
witnesses; the reveal derives the seed from the digest, the value and the witnesses' inputs."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from experts.models import Expert
from reviews.draw import engine, record
from reviews.draw import services as draw_services
from reviews.draw.commitment import commitment_body
from reviews.draw.selectors import draw_record
from reviews.draw.verify import verify_draw
from reviews.models import Assignment, Draw, DrawCommitment, Review
from tests.reviews.conftest import add_expert, schedule

# A real drand quicknet round (public data): its signature and randomness (SHA-256 of the signature).
ROUND = 657413
SIGNATURE = "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b"
VALUE = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"
BEFORE_ROUND = datetime(2023, 9, 1, tzinfo=UTC)  # the round was still to come
QUICKNET = {"source": "drand quicknet", "round": ROUND}
WITNESSES = ["公证员 王某", "纪检 李某"]
INPUTS = ["7319", "春风"]


def future_round(seconds=3600):
    return int((timezone.now().timestamp() - 1692803367) // 3) + 1 + seconds // 3


def committed(review, by, witnesses=WITNESSES):
    return draw_services.commit_draw(review, by=by, beacon=QUICKNET, witnesses=witnesses, now=BEFORE_ROUND)


def reveal_body(**changes):
    return {"beacon_value": VALUE, "beacon_signature": SIGNATURE, "witness_inputs": INPUTS, **changes}


def test_commitment_over_the_api_answers_201_with_the_contract_fields(api_as, secretariat_user, review):
    number = future_round()
    body = {"beacon": {"source": "drand quicknet", "round": number}, "witnesses": WITNESSES}

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/commitment/", body, format="json")

    data = response.json()
    commitment = DrawCommitment.objects.get()
    assert response.status_code == 201
    assert sorted(data) == sorted(
        ["id", "digest", "pool_hash", "pool_size", "rules", "algorithm", "beacon", "witnesses", "committed_at"]
    )
    assert (data["id"], data["digest"], data["pool_size"]) == (commitment.pk, commitment.digest, 12)
    assert data["beacon"]["round"] == number
    assert data["witnesses"] == WITNESSES
    assert data["digest"] == record.commitment_digest(commitment_body(commitment))
    review.refresh_from_db()
    assert review.state == Review.State.DRAWING


def test_commit_then_reveal_over_the_api_draws_with_the_derived_seed(api_as, secretariat_user, review):
    commitment = committed(review, secretariat_user)

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", reveal_body(), format="json")

    data = response.json()
    assert response.status_code == 201
    assert data["seed"] == record.derive_seed(commitment.digest, VALUE, INPUTS)
    assert (data["seed_source"], data["beacon_value"], data["witness_inputs"]) == ("beacon", VALUE, INPUTS)
    assert data["commitment"]["digest"] == commitment.digest
    assert len(data["selected"]) == 5
    assert Assignment.objects.filter(review=review, state=Assignment.State.INVITED).count() == 5
    review.refresh_from_db()
    assert review.state == Review.State.INVITING


def test_roster_change_between_commitment_and_reveal_does_not_change_the_draw(secretariat_user, review, domain):
    commitment = committed(review, secretariat_user)
    seed = record.derive_seed(commitment.digest, VALUE, INPUTS)
    expected = engine.draw_panel(commitment.pool, seed=seed, review_id=review.pk, rules=commitment.rules)
    Expert.objects.filter(pk=expected.selected[0]).update(status="inactive")
    for number in range(50, 56):
        add_expert(number, domain=domain)

    draw = draw_services.reveal_draw(
        review, by=secretariat_user, beacon_value=VALUE, beacon_signature=SIGNATURE, witness_inputs=INPUTS
    )

    assert draw.pool == commitment.pool
    assert (draw.selected, draw.alternates) == (expected.selected, expected.alternates)


def test_round_already_public_at_the_commitment_is_400_naming_beacon(api_as, secretariat_user, review):
    body = {"beacon": QUICKNET, "witnesses": WITNESSES}

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/commitment/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["beacon"]
    assert not DrawCommitment.objects.exists()
    review.refresh_from_db()
    assert review.state == Review.State.DRAFT


def test_missing_witness_input_is_400_and_nothing_is_stored(api_as, secretariat_user, review):
    committed(review, secretariat_user)

    response = api_as(secretariat_user).post(
        f"/api/v1/reviews/{review.pk}/draw/", reveal_body(witness_inputs=["7319"]), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["witness_inputs"]
    assert not Draw.objects.exists()
    assert not Assignment.objects.exists()
    review.refresh_from_db()
    assert review.state == Review.State.DRAWING


def test_empty_witness_input_is_400_naming_it(api_as, secretariat_user, review):
    committed(review, secretariat_user)

    response = api_as(secretariat_user).post(
        f"/api/v1/reviews/{review.pk}/draw/", reveal_body(witness_inputs=["7319", "  "]), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["witness_inputs"]
    assert not Draw.objects.exists()


def test_a_seed_field_is_400_and_draws_nothing(api_as, secretariat_user, review):
    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", {"seed": "123"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["seed"]
    assert response.json()["detail"] == (
        "The seed is derived from the public value and the witnesses; it cannot be typed."
    )
    assert not Draw.objects.exists()
    assert not DrawCommitment.objects.exists()


def test_second_commitment_is_409(api_as, secretariat_user, review):
    committed(review, secretariat_user)
    body = {"beacon": {"source": "drand quicknet", "round": future_round()}, "witnesses": WITNESSES}

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/commitment/", body, format="json")

    assert response.status_code == 409
    assert DrawCommitment.objects.count() == 1


def test_commitment_after_an_unwitnessed_draw_is_409(api_as, secretariat_user, drawn):
    body = {"beacon": {"source": "drand quicknet", "round": future_round()}, "witnesses": WITNESSES}

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{drawn.pk}/draw/commitment/", body, format="json")

    assert response.status_code == 409


def test_bad_bls_signature_is_400_naming_the_signature(api_as, secretariat_user, review):
    committed(review, secretariat_user)
    forged = SIGNATURE[:-1] + ("a" if SIGNATURE[-1] != "a" else "b")
    value = record.hashlib.sha256(bytes.fromhex(forged)).hexdigest()

    response = api_as(secretariat_user).post(
        f"/api/v1/reviews/{review.pk}/draw/", reveal_body(beacon_value=value, beacon_signature=forged), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["beacon_signature"]
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"beacon_value": "not hex"}, "beacon_value"), ({"beacon_value": VALUE[:-1] + "0"}, "beacon_value")],
)
def test_wrong_public_value_is_400_naming_it(api_as, secretariat_user, review, changes, field):
    committed(review, secretariat_user)

    response = api_as(secretariat_user).post(
        f"/api/v1/reviews/{review.pk}/draw/", reveal_body(**changes), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Draw.objects.exists()


def test_commitment_on_a_review_with_no_eligible_pool_is_400_naming_the_rule(api_as, secretariat_user, plan):
    review = schedule(plan, secretariat_user)
    body = {"beacon": {"source": "drand quicknet", "round": future_round()}, "witnesses": WITNESSES}

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/commitment/", body, format="json")

    assert response.status_code == 400
    assert (list(response.json()["errors"]), response.json()["rule"]) == (["pool"], "pool")
    assert response.json()["detail"].startswith("Only 0 eligible experts for a panel of 5")
    assert not DrawCommitment.objects.exists()


def test_reveal_without_a_commitment_is_409(api_as, secretariat_user, review):
    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", reveal_body(), format="json")

    assert response.status_code == 409
    assert not Draw.objects.exists()


def test_an_expert_cannot_commit(api_as, review, roster):
    body = {"beacon": {"source": "drand quicknet", "round": future_round()}, "witnesses": WITNESSES}

    response = api_as(roster[0].user).post(f"/api/v1/reviews/{review.pk}/draw/commitment/", body, format="json")

    assert response.status_code == 404
    assert not DrawCommitment.objects.exists()


def test_unwitnessed_draw_is_committed_at_once_and_labelled(api_as, secretariat_user, review):
    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", {}, format="json")

    data = response.json()
    draw = Draw.objects.get()
    assert response.status_code == 201
    assert (data["seed_source"], data["seed_source_label"]) == ("unwitnessed", "Unwitnessed (system randomness)")
    assert data["commitment"]["beacon"] == {"source": "system"}
    assert data["seed"] == record.derive_seed(draw.commitment.digest, draw.beacon_value, [])


def test_lottery_commitment_and_reveal(secretariat_user, review):
    beacon = {"source": "lottery", "round": "福彩3D 2030001期", "public_at": "2030-01-01T21:15:00+08:00"}

    commitment = draw_services.commit_draw(review, by=secretariat_user, beacon=beacon, witnesses=["公证员 王某"])
    draw = draw_services.reveal_draw(review, by=secretariat_user, beacon_value="3 8 1", witness_inputs=["42"])

    assert commitment.beacon == {"source": "lottery", "round": "福彩3D 2030001期", "public_at": "2030-01-01T13:15:00Z"}
    assert draw.seed == record.derive_seed(commitment.digest, "3 8 1", ["42"])
    assert verify_draw(draw) == (True, "Replaying the record gives the same panel and alternates.")


def test_record_and_verify_endpoints_replay_a_witnessed_draw(api_as, secretariat_user, review):
    committed(review, secretariat_user)
    draw = draw_services.reveal_draw(
        review, by=secretariat_user, beacon_value=VALUE, beacon_signature=SIGNATURE, witness_inputs=INPUTS
    )
    api = api_as(secretariat_user)

    got = api.get(f"/api/v1/draws/{draw.pk}/record/")
    verified = api.post(f"/api/v1/draws/{draw.pk}/verify/")

    assert got.status_code == 200
    assert record.check_record(got.json())[0] is True
    assert got.json()["members"][0]["commitment"]["digest"] == draw.commitment.digest
    assert verified.json() == {"verified": True, "detail": "Replaying the record gives the same panel and alternates."}


def test_record_is_404_for_who_may_not_see_the_draw(api_as, drawn, department_staff):
    response = api_as(department_staff).get(f"/api/v1/draws/{drawn.draw.pk}/record/")

    assert response.status_code == 404


def test_a_legacy_draw_with_a_typed_seed_stays_replayable(secretariat_user, drawn):
    draw = drawn.draw
    rules = {key: value for key, value in draw.rules.items() if key != "categories"}
    outcome = engine.draw_panel(draw.pool, seed="公证员 12345", review_id=drawn.pk, rules=rules)
    Draw.objects.filter(pk=draw.pk).update(
        commitment=None, seed="公证员 12345", seed_source=Draw.SeedSource.WITNESSED, beacon_value="",
        selected=outcome.selected, alternates=outcome.alternates,
    )  # fmt: skip
    draw.refresh_from_db()

    legacy = draw_record(draw)

    assert legacy["members"][0]["commitment"] is None
    assert verify_draw(draw) == (True, "Replaying the record gives the same panel and alternates.")
    assert draw.get_seed_source_display() == "Legacy: seed typed by hand, not committed"


def test_a_tampered_stored_panel_does_not_verify(secretariat_user, drawn):
    draw = drawn.draw
    Draw.objects.filter(pk=draw.pk).update(selected=list(reversed(draw.selected)))
    draw.refresh_from_db()

    verified, detail = verify_draw(draw)

    assert verified is False
    assert detail.startswith(f"review {drawn.pk}: replaying gives the panel")
