"""The public random value that decides a draw's seed, named at the commitment before anyone can
know it. Pure Python, no Django: the offline verifier uses it as the server does.

Two sources:

- ``drand quicknet``: a round of the League of Entropy's quicknet chain (unchained, a BLS
  signature on G1 over SHA-256 of the round number, 3 s rounds from its genesis). A round's time
  follows from the chain's genesis and period, so a round already public at the commitment is
  refused; the revealed value is the round's randomness, SHA-256 of its signature, and the
  signature is checked against the chain's public key, offline.
- ``lottery``: the official result of a named lottery draw on a named date (``round`` names it,
  ``public_at`` says when it is published). Nothing can check it offline: the record says so.

Problems are ``BeaconProblem`` with a ``field`` and a ``code``; the caller words the message.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

DRAND_QUICKNET = "drand quicknet"
LOTTERY = "lottery"
SOURCES = (DRAND_QUICKNET, LOTTERY)


@dataclass(frozen=True)
class DrandChain:
    chain_hash: str
    public_key: str  # G2, compressed, hex
    genesis: int  # Unix seconds of round 1
    period: int  # seconds between rounds
    scheme: str
    dst: bytes


CHAINS = {
    DRAND_QUICKNET: DrandChain(
        chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
        public_key=(
            "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d"
            "1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
        ),
        genesis=1692803367,
        period=3,
        scheme="bls-unchained-g1-rfc9380",
        dst=b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
    )
}

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX96 = re.compile(r"[0-9a-f]{96}")
MAX_TEXT = 200


class BeaconProblem(ValueError):
    """What is wrong with a beacon or its value: ``field`` names the input, ``code`` the problem
    (``unknown_source``, ``bad_round``, ``already_public``, ``bad_public_at``, ``bad_value``,
    ``bad_signature``, ``signature_mismatch``, ``value_mismatch``)."""

    def __init__(self, field, code):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def round_time(source, round_number):
    """When drand ``round_number`` of ``source`` is published (UTC)."""
    chain = CHAINS[source]
    return datetime.fromtimestamp(chain.genesis + (round_number - 1) * chain.period, tz=UTC)


def check_commitment(beacon, *, now):
    """The normalised beacon ``{"source", "round", "public_at"}`` named at a commitment made at
    ``now``; raises ``BeaconProblem`` if it is malformed or its value may already be public."""
    if not isinstance(beacon, dict) or beacon.get("source") not in SOURCES:
        raise BeaconProblem("beacon", "unknown_source")
    if beacon["source"] == LOTTERY:
        return _lottery_commitment(beacon, now)
    number = beacon.get("round")
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number < 2**63:
        raise BeaconProblem("beacon", "bad_round")
    public_at = round_time(beacon["source"], number)
    if public_at <= now:
        raise BeaconProblem("beacon", "already_public")
    return {"source": beacon["source"], "round": number, "public_at": _iso(public_at)}


def _lottery_commitment(beacon, now):
    name = beacon.get("round")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_TEXT:
        raise BeaconProblem("beacon", "bad_round")
    public_at = beacon.get("public_at")
    try:
        moment = datetime.fromisoformat(public_at) if isinstance(public_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BeaconProblem("beacon", "bad_public_at")
    if moment <= now:
        raise BeaconProblem("beacon", "already_public")
    return {"source": LOTTERY, "round": name.strip(), "public_at": _iso(moment)}


def check_reveal(beacon, *, value, signature=None):
    """The normalised revealed value ``{"value", "signature"}`` of the committed ``beacon``;
    raises ``BeaconProblem`` if its format is wrong or (drand) its signature does not hold."""
    if beacon.get("source") == LOTTERY:
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > MAX_TEXT:
            raise BeaconProblem("beacon_value", "bad_value")
        return {"value": text, "signature": ""}
    value = value.strip().lower() if isinstance(value, str) else ""
    if not _HEX64.fullmatch(value):
        raise BeaconProblem("beacon_value", "bad_value")
    signature = signature.strip().lower() if isinstance(signature, str) else ""
    if not _HEX96.fullmatch(signature):
        raise BeaconProblem("beacon_signature", "bad_signature")
    if hashlib.sha256(bytes.fromhex(signature)).hexdigest() != value:
        raise BeaconProblem("beacon_value", "value_mismatch")
    if not verify_drand(beacon["source"], beacon["round"], signature):
        raise BeaconProblem("beacon_signature", "signature_mismatch")
    return {"value": value, "signature": signature}


def verify_drand(source, round_number, signature_hex):
    """Whether ``signature_hex`` is the chain's BLS signature of ``round_number`` (about 0.3 s)."""
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.optimized_bls12_381 import FQ12, G2, final_exponentiate, neg, pairing

    chain = CHAINS[source]
    key = bytes.fromhex(chain.public_key)
    try:
        signature = decompress_G1(int.from_bytes(bytes.fromhex(signature_hex), "big"))
        public_key = decompress_G2((int.from_bytes(key[:48], "big"), int.from_bytes(key[48:], "big")))
    except (ValueError, TypeError):
        return False
    message = hashlib.sha256(round_number.to_bytes(8, "big")).digest()
    point = hash_to_G1(message, chain.dst, hashlib.sha256)
    product = pairing(public_key, point, final_exponentiate=False) * pairing(
        G2, neg(signature), final_exponentiate=False
    )
    return final_exponentiate(product) == FQ12.one()


def describe(source):
    """What a record says about ``source``: the chain's constants for drand, else nothing."""
    chain = CHAINS.get(source)
    if chain is None:
        return {"source": source, "checkable": False}
    return {
        "source": source, "checkable": True, "chain_hash": chain.chain_hash, "public_key": chain.public_key,
        "genesis": chain.genesis, "period": chain.period, "scheme": chain.scheme, "dst": chain.dst.decode(),
    }  # fmt: skip


def _iso(moment):
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
