"""Every user-visible string reaches the catalogue. makemessages (xgettext) reads neither a
gettext call inside an f-string nor ``{% translate variable %}``, so such a string is never
translated; ruff's flake8-gettext rules (INT, pyproject.toml) refuse the opposite mistake, a
formatted string inside a gettext call. CI's catalogue check cannot see any of these. And the
committee has one name everywhere: 专家顾问委员会, the expert advisory committee."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("core", "experts", "reviews", "consultations", "cms", "config")


def gettext_names():
    """ruff's default gettext names and the project's own (pyproject.toml), the one list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = config["tool"]["ruff"]["lint"]["flake8-gettext"]["extend-function-names"]
    return {"_", "gettext", "ngettext", *extra}


def gettext_in_fstrings(tree, names):
    """Line numbers of the gettext calls inside an f-string of ``tree``."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                func = inner.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in names:
                    lines.append(inner.lineno)
    return lines


def test_no_gettext_call_inside_an_f_string():
    names = gettext_names()
    assert gettext_in_fstrings(ast.parse("x = f\"{_('a')} {translation.gettext_lazy('b')}\""), names) == [1, 1]
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found += [f"{path.relative_to(ROOT)}:{line}" for line in gettext_in_fstrings(tree, names)]
    assert found == [], "gettext inside an f-string is never extracted: call it outside and format its result"


TRANSLATE_VARIABLE = re.compile(r"\{%\s*(?:translate|trans)\s+(?![\"'])")


def test_no_template_translates_a_variable():
    assert TRANSLATE_VARIABLE.search("{% translate c.label %}")
    assert not TRANSLATE_VARIABLE.search('{% translate "Scores" %}')
    templates = [p for p in ROOT.glob("*/templates/**/*") if p.suffix in {".html", ".txt"}]
    templates += [p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"}]
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TRANSLATE_VARIABLE.search(line)
    ]
    assert found == []


def test_ruff_refuses_a_formatted_string_in_a_gettext_call(tmp_path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is in requirements.txt"
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from django.utils.translation import gettext as _\n"
        "from django.utils.translation import gettext_lazy, ngettext\n"
        "\n"
        "\n"
        "def texts(name, n):\n"
        '    return [_(f"Hello {name}"), gettext_lazy(f"Bye {name}"), _("Hi {x}".format(x=name)),\n'
        '            ngettext("%s day" % n, "%s days" % n, n)]\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [ruff, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), "--output-format", "concise",
         str(snippet)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    codes = sorted(re.findall(r"\b(INT00\d)\b", result.stdout))
    assert codes == ["INT001", "INT001", "INT002", "INT003"], result.stdout + result.stderr


OTHER_NAMES = re.compile(r"专家咨询委员会|咨询专家委员会|expert (?:consultation|consultative|consulting) committee|"
                         r"SEI Expert Committee", re.IGNORECASE)  # fmt: skip


def test_the_committee_has_one_name():
    assert OTHER_NAMES.search("专家咨询委员会征询") and not OTHER_NAMES.search("专家顾问委员会")
    places = [ROOT / name for name in (*PACKAGES, "templates", "docs", "locale", "static")]
    kinds = {".py", ".html", ".txt", ".md", ".po", ".js"}
    files = [p for place in places for p in place.rglob("*") if p.suffix in kinds]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*files, ROOT / "README.md"]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OTHER_NAMES.search(line)
    ]
    assert found == [], "the committee is 专家顾问委员会 (the expert advisory committee) everywhere"
