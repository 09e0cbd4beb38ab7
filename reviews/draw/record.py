"""A draw's commitment and its self-contained record, as pure functions over plain data: the
canonical JSON, the digests, the seed derivation, and ``check_record``, the replay that the
offline verifier (``python -m reviews.verify``) and the server's own verify both run. No ORM, no
settings, no network. The format is documented in docs/draw-record.md.

- Canonical JSON: UTF-8, object keys sorted, no whitespace (``,`` and ``:``), non-ASCII written
  as itself, integers and strings only (no floats).
- A commitment's ``digest``: SHA-256 (hex) of the canonical JSON of its body without ``pool``
  and ``digest``: the pool is bound through ``pool_hash``, ``reviews.draw.engine.pool_hash`` (the
  SHA-256 of its compact JSON, ASCII), checked on its own.
- The seed: SHA-256 (hex) of the canonical JSON of ``{"beacon_value", "commitment",
  "witness_inputs"}``, where ``commitment`` is the single draw's digest, or for a batch the
  SHA-256 of the canonical JSON of its members' digests in review order.
"""

import hashlib
import json
import re
from datetime import datetime

from reviews.draw import batch, engine
from reviews.draw.text import gettext as _

COMMITMENT_FORMAT = "draw-commitment/1"
RECORD_FORMAT = "draw-record/1"
SYSTEM = "system"  # the beacon source of an unwitnessed draw: system randomness, revealed at once
HEX64 = re.compile(r"[0-9a-f]{64}")
# Draw.SeedSource values: the two of today, the two of records made before commitments existed
BEACON, UNWITNESSED, LEGACY_TYPED, LEGACY_SYSTEM = "beacon", "unwitnessed", "witnessed", "system"


def canonical(value):
    """The canonical JSON of ``value`` as bytes (see the module's docstring)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256(value):
    return hashlib.sha256(canonical(value)).hexdigest()


def commitment_body(*, review, pool, excluded, rules, algorithm, beacon, witnesses, committed_by, committed_at,
                    batch_name=""):  # fmt: skip
    """The fields a commitment freezes and its digest covers (``committed_at`` an ISO 8601 string)."""
    return {
        "format": COMMITMENT_FORMAT,
        "review": review,
        "pool": pool,
        "pool_hash": engine.pool_hash(pool),
        "excluded": excluded,
        "rules": rules,
        "algorithm": algorithm,
        "beacon": beacon,
        "witnesses": witnesses,
        "committed_by": committed_by,
        "committed_at": committed_at,
        "batch": batch_name,
    }


def commitment_digest(body):
    return sha256({key: value for key, value in body.items() if key not in ("pool", "digest")})


def batch_digest(digests):
    """What a batch's seed is bound to: its members' commitment digests, in review order."""
    return sha256(list(digests))


def derive_seed(commitment, beacon_value, witness_inputs):
    """The seed of a draw from what was committed, the public value and the witnesses' inputs."""
    return sha256({"commitment": commitment, "beacon_value": beacon_value, "witness_inputs": list(witness_inputs)})


# ---------------------------------------------------------------- checking a record


class Mismatch(Exception):
    """The first thing in a record that does not hold: its message is the verifier's answer."""


def check_record(record):
    """Replay a draw record: ``(ok, lines)``, the lines saying what was checked and, when not ok,
    the first mismatch as the last line (``MISMATCH: ...``). Never raises on a malformed record."""
    lines, problem = replay(record)
    if problem:
        return False, [*lines, _("MISMATCH: {problem}").format(problem=problem)]
    return True, lines


def replay(record):
    """``(lines checked, first mismatch or "")`` of a draw record."""
    lines = []
    try:
        _check(record, lines)
    except Mismatch as problem:
        return lines, str(problem)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return lines, _("the record is malformed ({error}).").format(error=_describe(error))
    return lines, ""


def _describe(error):
    if isinstance(error, KeyError):
        return _("missing field {name}").format(name=error.args[0] if error.args else "?")
    return f"{type(error).__name__}: {error}"


def _require(condition, message, **values):
    if not condition:
        raise Mismatch(message.format(**values))


def _check(record, lines):
    _require(isinstance(record, dict), _("a record is a JSON object."))
    _require(record.get("format") == RECORD_FORMAT, _("unknown format {value!r} (expected {expected})."),
             value=record.get("format"), expected=RECORD_FORMAT)  # fmt: skip
    members = record["members"]
    _require(isinstance(members, list) and members, _("the record lists no draw."))
    reviews = [member["review"] for member in members]
    _require(reviews == sorted(set(reviews)), _("the members are not in review order, or one appears twice."))
    _require(record["kind"] in ("single", "batch"), _("unknown kind {kind!r}."), kind=record["kind"])
    _require(record["kind"] == "batch" or len(members) == 1, _("a single draw has one member."))
    legacy = record["seed_source"] in (LEGACY_TYPED, LEGACY_SYSTEM)
    frozen = [_check_frozen(member, legacy=legacy, algorithm=record["algorithm"], lines=lines) for member in members]
    if legacy:
        lines.append(_("Legacy record: the seed was typed or taken before commitments existed; nothing binds it."))
    else:
        _check_reveal(record, frozen, lines)
    _replay(record, members, frozen, lines)


def _check_frozen(member, *, legacy, algorithm, lines):
    """A member's frozen pool, exclusions and rules, after checking its hashes (and digest)."""
    frozen = member["legacy"] if legacy else member["commitment"]
    review = member["review"]
    _require(isinstance(frozen, dict), _("review {review}: no commitment."), review=review)
    pool = frozen["pool"]
    _require(engine.pool_hash(pool) == frozen["pool_hash"],
             _("review {review}: the pool does not match its hash {hash}."), review=review,
             hash=frozen["pool_hash"])  # fmt: skip
    ids = [row[0] for row in pool]
    _require(ids == sorted(set(ids)), _("review {review}: the pool is not sorted by expert id."), review=review)
    excluded = {i for members in (frozen["excluded"] or {}).values() for i in members}
    _require(not excluded & set(ids), _("review {review}: an excluded expert is in the pool."), review=review)
    if legacy:
        return frozen
    _require(frozen["format"] == COMMITMENT_FORMAT, _("review {review}: unknown commitment format."), review=review)
    _require(frozen["review"] == review, _("review {review}: the commitment is for another review."), review=review)
    _require(frozen["algorithm"] == algorithm, _("review {review}: the commitment names algorithm {name}."),
             review=review, name=frozen["algorithm"])  # fmt: skip
    digest = commitment_digest(frozen)
    _require(digest == frozen["digest"],
             _("review {review}: the commitment's digest is {digest}, the record says {recorded}."),
             review=review, digest=digest, recorded=frozen["digest"])  # fmt: skip
    lines.append(_("Commitment of review {review}: digest {digest} OK; pool of {size} (hash OK), {excluded} excluded, "
                   "committed {at} by {by}.").format(review=review, digest=digest, size=len(pool),
                                                   excluded=len(excluded), at=frozen["committed_at"],
                                                   by=frozen["committed_by"]))  # fmt: skip
    return frozen


def _check_reveal(record, frozen, lines):
    """The public value, the witnesses' inputs and the seed derived from them."""
    reveal = record["reveal"]
    first = frozen[0]
    _require(all(f["beacon"] == first["beacon"] and f["witnesses"] == first["witnesses"] for f in frozen),
             _("the members of the batch name different public values or witnesses."))  # fmt: skip
    value, inputs = reveal["beacon_value"], reveal["witness_inputs"]
    witnesses = first["witnesses"]
    _require(
        isinstance(inputs, list) and len(inputs) == len(witnesses),
        _("{count} witness inputs for {witnesses} witnesses."),
        count=len(inputs),
        witnesses=len(witnesses),
    )
    _require(all(isinstance(i, str) and i.strip() for i in inputs), _("a witness input is empty."))
    if first["beacon"]["source"] == SYSTEM:
        _require(record["seed_source"] == UNWITNESSED, _("a system value is recorded as witnessed."))
        _require(isinstance(value, str) and HEX64.fullmatch(value), _("the system value is not 64 hex digits."))
        lines.append(_("Unwitnessed draw: system randomness {value}, revealed at the commitment.").format(value=value))
    else:
        _require(record["seed_source"] == BEACON, _("a public value is recorded as unwitnessed."))
        _check_beacon(first, value, reveal.get("beacon_signature"), lines)
        for name, given in zip(witnesses, inputs, strict=True):
            lines.append(_("Witness {name}: {input}").format(name=name, input=given))
    ref = first["digest"] if record["kind"] == "single" else batch_digest(f["digest"] for f in frozen)
    seed = derive_seed(ref, value, inputs)
    _require(seed == record["seed"], _("the seed derived from the commitment, the public value and the witness "
                                       "inputs is {seed}, the record says {recorded}."),
             seed=seed, recorded=record["seed"])  # fmt: skip
    lines.append(
        _("Seed {seed} derived from the commitment, the public value and the witnesses: OK.").format(seed=seed)
    )


def _check_beacon(commitment, value, signature, lines):
    from reviews.draw import beacon as beacons

    source = commitment["beacon"]
    try:
        beacons.check_reveal(source, value=value, signature=signature)
    except beacons.BeaconProblem as problem:
        raise Mismatch(_("the public value: {problem}").format(problem=problem)) from None
    public_at = _moment(source["public_at"])
    if source["source"].startswith("drand"):
        public_at = beacons.round_time(source["source"], source["round"])
    committed_at = _moment(commitment["committed_at"])
    _require(public_at > committed_at, _("the public value ({at}) was already known at the commitment ({committed})."),
             at=public_at.isoformat(), committed=committed_at.isoformat())  # fmt: skip
    lines.append(_("Public value {source} {round}: {value} (public {at}, after the commitment): OK.").format(
        source=source["source"], round=source.get("round", ""), value=value, at=public_at.isoformat()))  # fmt: skip


def _moment(text):
    moment = datetime.fromisoformat(text)
    _require(moment.tzinfo is not None, _("the moment {text} has no time zone."), text=text)
    return moment


def _replay(record, members, frozen, lines):
    seed = record["seed"]
    if record["kind"] == "single":
        unknown = _("Unknown algorithm “{name}”: this record cannot be replayed.")
        _require(record["algorithm"] == engine.ALGORITHM, unknown, name=record["algorithm"])
        rules = {k: v for k, v in frozen[0]["rules"].items() if k != "categories"}
        outcome = engine.draw_panel(frozen[0]["pool"], seed=seed, review_id=members[0]["review"], rules=rules)
        outcomes = {members[0]["review"]: outcome}
    else:
        problems = [
            {"review": m["review"], "pool": f["pool"], "rules": f["rules"], "quarter": f["rules"].get("quarter", "")}
            for m, f in zip(members, frozen, strict=True)
        ]
        try:
            outcomes, _stats = batch.batch_draw(problems, seed=seed, algorithm=record["algorithm"],
                                                widths=frozen[0]["rules"].get("batch_widths"))  # fmt: skip
        except (batch.BatchUnsolved, ValueError) as error:
            raise Mismatch(str(error)) from None
    for member in members:
        outcome = outcomes[member["review"]]
        _require(outcome.ok, _("review {review}: {problem}"), review=member["review"], problem=outcome.problem)
        _require(outcome.selected == member["selected"],
                 _("review {review}: replaying gives the panel {replayed}, the record says {recorded}."),
                 review=member["review"], replayed=outcome.selected, recorded=member["selected"])  # fmt: skip
        _require(outcome.alternates == member["alternates"],
                 _("review {review}: replaying gives the alternates {replayed}, the record says {recorded}."),
                 review=member["review"], replayed=outcome.alternates, recorded=member["alternates"])  # fmt: skip


def panel_lines(record):
    """The panel and alternates of the draw the record was asked for, with the names it carries."""
    names = record.get("names") or {}
    member = next((m for m in record["members"] if m.get("draw") == record.get("draw")), record["members"][0])

    def named(ids):
        return ", ".join(f"{i} {names.get(str(i), '')}".strip() for i in ids)

    return [
        _("Review {review}, panel ({count}): {names}").format(review=member["review"], count=len(member["selected"]),
                                                             names=named(member["selected"])),
        _("Ranked alternates ({count}): {names}").format(count=len(member["alternates"]),
                                                        names=named(member["alternates"])),
    ]  # fmt: skip
