"""``manage.py batch_draw``: the panels and the seed on stdout; a refusal on stderr with exit code
1, and nothing written."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from reviews.draw import services as draw_services
from reviews.models import Assignment, Draw, DrawCommitment, Review
from tests.conftest import make_user
from tests.reviews.conftest import schedule


def written():
    return (
        Draw.objects.count(),
        DrawCommitment.objects.count(),
        Assignment.objects.count(),
        sorted(Review.objects.values_list("pk", "state")),
    )


def run(*args):
    out = StringIO()
    call_command("batch_draw", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_command_draws_the_named_reviews_and_prints_each_panel_and_the_seed(secretariat_user, plan, roster):
    first, second = schedule(plan, secretariat_user), schedule(plan, secretariat_user)
    left = schedule(plan, secretariat_user)

    output = run(second.pk, first.pk, "--by", "sec")

    draws = {d.review_id: d for d in Draw.objects.all()}
    assert set(draws) == {first.pk, second.pk}
    lines = output.splitlines()
    for line, review in zip(lines, [second, first], strict=False):
        draw = draws[review.pk]
        assert line.startswith(f"Review {review.pk} “机器人产业三年行动计划”, draw {draw.pk}, panel (5): ")
        assert [int(item.split()[0]) for item in line.split(": ", 1)[1].split(", ")] == draw.selected
    assert lines[2] == f"Batch {draws[first.pk].batch}, unwitnessed, seed {draws[first.pk].seed}"
    assert lines[3].startswith("2 panels drawn in ")
    assert Review.objects.get(pk=left.pk).state == Review.State.DRAFT


def test_all_waiting_draws_every_review_waiting_for_a_panel(secretariat_user, plan, roster):
    drawn = schedule(plan, secretariat_user)
    draw_services.draw_for_review(drawn, by=secretariat_user, seed="before")
    waiting = [schedule(plan, secretariat_user), schedule(plan, secretariat_user)]

    run("--all-waiting", "--by", "sec")

    assert sorted(Draw.objects.exclude(review=drawn).values_list("review_id", flat=True)) == [r.pk for r in waiting]
    assert len(set(Draw.objects.exclude(review=drawn).values_list("batch", flat=True))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "sec"], "Name the reviews, or give --all-waiting (not both)."),
        (["{first}", "--all-waiting", "--by", "sec"], "Name the reviews, or give --all-waiting (not both)."),
        (["{first}", "--by", "nobody"], "No active user “nobody”."),
        (["{first}", "--by", "ndrc"], "Only the secretariat draws panels."),
        (["{first}", "x7", "--by", "sec"], "“x7” is not a review id."),
        (["{first}", "99999999999999999999", "--by", "sec"], "“99999999999999999999” is not a review id."),
        (["{first}", "{first}", "--by", "sec"], "Review {first} is named more than once."),
        (["{first}", "999999", "--by", "sec"], "Review 999999 does not exist."),
        (["{first}", "{drawn}", "--by", "sec"], "Review {drawn} “机器人产业三年行动计划” is not waiting for a panel"),
        (["{first}", "{capped}", "--by", "sec"], "No full assignment exists: the load caps leave 2 seats empty."),
    ],
)
def test_a_refusal_is_a_command_error_and_writes_nothing(
    secretariat_user, commission_user, plan, roster, args, message
):
    ids = {"first": schedule(plan, secretariat_user, panel_size=7, rules={"load_cap_per_quarter": 1}).pk}
    drawn = schedule(plan, secretariat_user)
    draw_services.draw_for_review(drawn, by=secretariat_user, seed="before")
    Assignment.objects.filter(review=drawn).delete()  # its panel does not count against the load caps here
    ids["drawn"] = drawn.pk
    ids["capped"] = schedule(plan, secretariat_user, panel_size=7, rules={"load_cap_per_quarter": 1}).pk
    before = written()

    with pytest.raises(CommandError) as refused:
        run(*[arg.format(**ids) for arg in args])

    assert str(refused.value).splitlines()[-1].startswith(message.format(**ids))
    assert written() == before


def test_all_waiting_with_nothing_waiting_is_refused(secretariat_user):
    with pytest.raises(CommandError, match="No review is waiting for a panel."):
        run("--all-waiting", "--by", "sec")


@pytest.mark.django_db(transaction=True)  # the command line closes the database connection at the end
def test_from_the_command_line_a_refusal_goes_to_stderr_with_exit_code_1(secretariat_user, review, capsys):
    make_user("expert", username="batch-shell-expert")
    before = written()

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "batch_draw", str(review.pk), "--by", "batch-shell-expert"])

    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert out == ""
    assert err == "CommandError: Only the secretariat draws panels.\n"
    assert written() == before
