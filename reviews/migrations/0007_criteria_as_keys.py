"""The known scoring criteria become keys: the English label stored with them ("Necessity",
"Feasibility", "Scientific soundness", shown as such on Chinese pages) is dropped, and
``reviews.criteria.label`` names them in the reader's language. A label the secretariat wrote
itself (a criterion of its own, or its own wording of a known one) is kept. The reviews' history
rows are left as they were recorded; ``label`` reads the old English wording as the known name."""

from django.db import migrations

OLD_LABELS = {"necessity": "Necessity", "feasibility": "Feasibility", "soundness": "Scientific soundness"}


def _rewrite(apps, change):
    Review = apps.get_model("reviews", "Review")
    for review in Review.objects.only("pk", "criteria").iterator(chunk_size=500):
        if not isinstance(review.criteria, list):
            continue
        criteria = [change(c) if isinstance(c, dict) and c.get("key") in OLD_LABELS else c for c in review.criteria]
        if criteria != review.criteria:
            Review.objects.filter(pk=review.pk).update(criteria=criteria)


def _drop_default_label(criterion):
    label = str(criterion.get("label") or "").strip()
    if label and label != OLD_LABELS[criterion["key"]]:
        return criterion
    return {k: v for k, v in criterion.items() if k != "label"}


def _restore_default_label(criterion):
    if str(criterion.get("label") or "").strip():
        return criterion
    return {**criterion, "label": OLD_LABELS[criterion["key"]]}


def forwards(apps, schema_editor):
    _rewrite(apps, _drop_default_label)


def backwards(apps, schema_editor):
    _rewrite(apps, _restore_default_label)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_draw_commitment")]

    operations = [migrations.RunPython(forwards, backwards)]
