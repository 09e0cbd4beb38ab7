"""The offline verifier: ``python -m reviews.verify FILE``, run from the project root, with no
Django settings, no database and no network.

FILE is a draw record (``GET /api/v1/draws/{id}/record/``, JSON) or a review's archive (a .zip,
checked by ``reviews.manifest.verify_archive`` with this module's record check). It replays the
draw from the record (``reviews.draw.record``): the commitment's digest, the pool's hash, the
public value (drand's BLS signature, offline), the seed derivation, the panel and the alternates.
It prints what it checked and the panel; the last line starts with ``OK`` and the exit status is
0, or it names the first mismatch and exits 1. A file that is not a record is a mismatch too,
never a traceback. The format: docs/draw-record.md.
"""

import json
import sys
from pathlib import Path

from reviews.draw.record import check_record, panel_lines
from reviews.draw.text import gettext as _

USAGE = "usage: python -m reviews.verify FILE   (a draw record .json or a review archive .zip)"


def check_record_file(path):
    """``(ok, lines)`` for the draw record at ``path``."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as error:
        return False, [_("MISMATCH: cannot read {path}: {error}").format(path=path, error=error.strerror or error)]
    except UnicodeDecodeError:
        return False, [_("MISMATCH: {path} is not UTF-8 text: not a draw record.").format(path=path)]
    except json.JSONDecodeError as error:
        return False, [
            _("MISMATCH: {path} is not JSON ({problem} at line {line}, column {column}): truncated or corrupt.").format(
                path=path, problem=error.msg, line=error.lineno, column=error.colno
            )
        ]
    ok, lines = check_record(data)
    if not ok:
        return False, lines
    member = next((m for m in data["members"] if m.get("draw") == data.get("draw")), data["members"][0])
    digest = (member.get("commitment") or {}).get("digest", "")
    ending = _("OK draw {draw} of review {review}: the panel and alternates replay from the record").format(
        draw=data.get("draw"), review=member["review"]
    )
    if digest:
        ending += _(" (commitment {digest})").format(digest=digest)
    else:
        ending += _(" (legacy: no commitment)")
    return True, [*lines, *panel_lines(data), ending]


def _check_record_and_name_the_panel(record):
    ok, lines = check_record(record)
    return (True, [*lines, *panel_lines(record)]) if ok else (False, lines)


def check_archive_file(path):
    """``(ok, lines)`` for a review's archive: its manifest, and the draw record inside."""
    try:
        from reviews.manifest import verify_archive
    except ImportError:
        return False, [_("MISMATCH: this copy of the verifier cannot check archives (reviews.manifest is missing).")]
    ok, lines = verify_archive(str(path), _check_record_and_name_the_panel)
    lines = list(lines)
    if ok and not (lines and lines[-1].startswith("OK")):
        lines.append(_("OK archive {path}").format(path=path))
    return ok, lines


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE)
        return 1
    path = Path(args[0])
    try:
        ok, lines = check_archive_file(path) if path.suffix.lower() == ".zip" else check_record_file(path)
    except Exception as error:
        ok, lines = False, [_("MISMATCH: {path} could not be checked ({error}).").format(path=path, error=error)]
    for line in lines:
        print(line)
    if not ok and lines and not lines[-1].startswith("MISMATCH"):
        print(_("MISMATCH: {path} did not verify.").format(path=path))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
