"""docs/api.md documents exactly the operations the server serves: every method and path of the
served OpenAPI schema is in its "Resources" tables, and nothing else is."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `([A-Z, ]+) (/[^`?\s]*)")


def _shape(path):
    """``/reviews/{review_id}/`` and ``/reviews/{id}/`` are the same path."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def documented_operations():
    text = DOC.read_text(encoding="utf-8")
    resources = text.split("## 2. Resources", 1)[1].split("\n## 3.", 1)[0]
    operations = set()
    for line in resources.splitlines():
        match = ROW.match(line)
        if match:
            for method in match.group(1).split(","):
                operations.add((method.strip(), _shape("/api/v1" + match.group(2))))
    return operations


def test_api_doc_lists_every_served_operation_and_no_other(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    served = {
        (method.upper(), _shape(path))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }

    assert documented_operations() == served
