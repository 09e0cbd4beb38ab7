"""The tax withheld on a honorarium as 劳务报酬, and the gross that leaves the standard's net."""

from decimal import Decimal

import pytest

from consultations.honoraria.tax import gross_for_net, split, withholding

D = Decimal


def test_a_senior_full_day_of_2400_net_is_2800_gross_with_400_withheld():
    assert split("2400") == {"net": D("2400.00"), "gross": D("2800.00"), "tax": D("400.00")}


@pytest.mark.parametrize("net", ["0.01", "300", "799.99", "800"])
def test_up_to_800_net_nothing_is_withheld(net):
    assert gross_for_net(net) == D(net)
    assert withholding(D(net)) == D("0.00")


@pytest.mark.parametrize(
    ("gross", "tax"),
    [
        ("800", "0.00"),  # 800 deducted: nothing taxable
        ("1000", "40.00"),  # (1000 - 800) x 20%
        ("4000", "640.00"),  # the last income with 800 deducted
        ("4000.05", "640.01"),  # from here 20% deducted: 3200.04 x 20%
        ("25000", "4000.00"),  # taxable 20,000: the top of the 20% bracket
        ("25000.05", "4000.01"),  # taxable 20,000.04 x 30% - 2,000
        ("62500", "13000.00"),  # taxable 50,000: the top of the 30% bracket
        ("62500.05", "13000.02"),  # taxable 50,000.04 x 40% - 7,000
        ("100000", "25000.00"),  # taxable 80,000 x 40% - 7,000
    ],
)
def test_withholding_at_each_bracket_boundary(gross, tax):
    assert withholding(D(gross)) == D(tax)


@pytest.mark.parametrize(
    ("net", "gross"),
    [
        ("800.01", "800.01"),  # 0.01 taxable: 0.002 withheld rounds to nothing
        ("1440", "1600.00"),  # a senior half day at the lower bound: 60% of 2,400
        ("3360", "4000.00"),  # the top of the 800-deducted bracket
        ("3360.84", "4001.00"),  # just above: net = 84% of gross
        ("21000", "25000.00"),  # the top of the 20% bracket
        ("21000.76", "25001.00"),  # just above: net = 76% of gross + 2,000
        ("49500", "62500.00"),  # the top of the 30% bracket
        ("49500.68", "62501.00"),  # just above: net = 68% of gross + 7,000
    ],
)
def test_gross_for_net_at_each_bracket_boundary(net, gross):
    assert gross_for_net(net) == D(gross)
    assert D(gross) - withholding(D(gross)) == D(net)


def test_round_trip_to_the_fen_and_the_gross_is_the_smallest_that_leaves_the_net():
    # every net from 0.01 to 150,000 yuan in steps of 7.77 yuan (odd fen: the rounding is exercised)
    nets = [D(fen) / 100 for fen in range(1, 15_000_000, 777)]

    wrong = [n for n in nets if gross_for_net(n) - withholding(gross_for_net(n)) != n]
    not_smallest = [n for n in nets if (g := gross_for_net(n) - D("0.01")) - withholding(g) >= n]

    assert (len(nets), wrong, not_smallest) == (19_306, [], [])
