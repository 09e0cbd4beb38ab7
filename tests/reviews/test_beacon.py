"""The public random value of a draw (``reviews.draw.beacon``), checked with a real quicknet round."""

from datetime import UTC, datetime, timedelta

import pytest

from reviews.draw import beacon

ROUND = 657413  # drand quicknet, published 2023-09-15 11:00:03 UTC
SIGNATURE = "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b"
RANDOMNESS = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"
QUICKNET = {"source": "drand quicknet", "round": ROUND}


def test_round_time_follows_genesis_and_period():
    assert beacon.round_time("drand quicknet", 1) == datetime(2023, 8, 23, 15, 9, 27, tzinfo=UTC)
    assert beacon.round_time("drand quicknet", ROUND) == datetime(2023, 9, 15, 11, 0, 3, tzinfo=UTC)


def test_commitment_to_a_future_round_is_normalised():
    before = beacon.round_time("drand quicknet", ROUND) - timedelta(seconds=1)

    normalised = beacon.check_commitment({"source": "drand quicknet", "round": str(ROUND)}, now=before)

    assert normalised == {"source": "drand quicknet", "round": ROUND, "public_at": "2023-09-15T11:00:03Z"}


@pytest.mark.parametrize("seconds_after", [0, 1, 3600])
def test_commitment_to_a_round_already_public_is_refused(seconds_after):
    at = beacon.round_time("drand quicknet", ROUND) + timedelta(seconds=seconds_after)

    with pytest.raises(beacon.BeaconProblem) as problem:
        beacon.check_commitment(QUICKNET, now=at)

    assert (problem.value.field, problem.value.code) == ("beacon", "already_public")


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"source": "coin", "round": 5}, "unknown_source"),
        ({"source": "drand quicknet", "round": 0}, "bad_round"),
        ({"source": "drand quicknet", "round": True}, "bad_round"),
        ({"source": "drand quicknet", "round": "12a"}, "bad_round"),
        ({"source": "lottery", "round": "福彩3D 第2026331期"}, "bad_public_at"),
        ({"source": "lottery", "round": " ", "public_at": "2030-01-01T20:30:00+08:00"}, "bad_round"),
        ("drand quicknet", "unknown_source"),
    ],
)
def test_malformed_beacon_is_refused_with_its_code(given, code):
    with pytest.raises(beacon.BeaconProblem) as problem:
        beacon.check_commitment(given, now=datetime(2023, 1, 1, tzinfo=UTC))

    assert problem.value.code == code


def test_lottery_commitment_needs_a_future_publication():
    lottery = {"source": "lottery", "round": "福彩3D 第2026331期", "public_at": "2026-12-08T21:15:00+08:00"}

    assert beacon.check_commitment(lottery, now=datetime(2026, 12, 8, 13, 0, tzinfo=UTC))["public_at"] == (
        "2026-12-08T13:15:00Z"
    )
    with pytest.raises(beacon.BeaconProblem):
        beacon.check_commitment(lottery, now=datetime(2026, 12, 8, 13, 15, tzinfo=UTC))


def test_real_quicknet_round_reveals():
    revealed = beacon.check_reveal(QUICKNET, value=RANDOMNESS.upper(), signature=SIGNATURE)

    assert revealed == {"value": RANDOMNESS, "signature": SIGNATURE}


def test_signature_of_another_round_is_refused():
    with pytest.raises(beacon.BeaconProblem) as problem:
        beacon.check_reveal({**QUICKNET, "round": ROUND + 1}, value=RANDOMNESS, signature=SIGNATURE)

    assert (problem.value.field, problem.value.code) == ("beacon_signature", "signature_mismatch")


def test_value_that_is_not_the_signatures_hash_is_refused():
    with pytest.raises(beacon.BeaconProblem) as problem:
        beacon.check_reveal(QUICKNET, value="0" * 64, signature=SIGNATURE)

    assert (problem.value.field, problem.value.code) == ("beacon_value", "value_mismatch")


@pytest.mark.parametrize(
    ("value", "signature", "field"),
    [
        ("xyz", SIGNATURE, "beacon_value"),
        (RANDOMNESS, "", "beacon_signature"),
        (RANDOMNESS, "ab" * 47, "beacon_signature"),
    ],
)
def test_malformed_value_or_signature_is_refused(value, signature, field):
    with pytest.raises(beacon.BeaconProblem) as problem:
        beacon.check_reveal(QUICKNET, value=value, signature=signature)

    assert problem.value.field == field


def test_signature_bytes_off_the_curve_do_not_verify():
    assert beacon.verify_drand("drand quicknet", ROUND, "a" + SIGNATURE[1:]) is False
