"""The canonical form of an opinion's content and its SHA-256 digest.

Text is normalised (Unicode NFC, ``\\n`` line ends, no trailing spaces on a line, no surrounding
blank space) when it is saved, so the stored text *is* the canonical text. The canonical JSON has
sorted keys, no insignificant whitespace and UTF-8 characters as themselves; the digest is the
SHA-256 of its UTF-8 bytes. Anyone holding a version's ``content`` can recompute its digest:

    sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
"""

import hashlib
import json
import unicodedata


def normalise_text(text):
    text = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def canonical_json(content):
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(content):
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def opinion_content(opinion, points=None):
    """What is sealed: conclusion, scores, summary and the live points, in order."""
    if points is None:
        points = opinion.points.filter(removed=False).order_by("position", "id")
    if opinion.consultation_id:  # an answer to a consultation: its points, each with its question
        return {
            "consultation": opinion.consultation_id,
            "points": [{"id": p.id, "question": p.question_id, "text": p.text} for p in points],
        }
    return {
        "conclusion": opinion.conclusion,
        "scores": {str(key): value for key, value in (opinion.scores or {}).items()},
        "summary": opinion.summary,
        "points": [{"id": p.id, "section": p.section, "text": p.text} for p in points],
    }
