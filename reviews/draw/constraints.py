"""The panel composition rules, each said once. The single draw, the batch draw, the alternates
and the secretariat's hand replacement all ask this module; pure functions over plain rows.

A candidate is a row ``[expert_id, category, organization_id, is_government, load_left]`` of the
eligible pool (``reviews.draw.pool``); ``organization_id`` may be ``None``: such an expert shares
an organisation with nobody. The rules, by the code a refusal carries:

- ``pool`` (the seats): a panel is ``panel_size`` distinct experts;
- ``government_share``: at most ``floor(panel_size * num / den)`` of them from government bodies
  (the rule ``government_share_max``, ``[num, den]``);
- ``one_per_organization``: no two of them with the same employer (when the rule holds);
- ``each_category``: at least one entrepreneur, specialist and scholar when the roster allows
  (when the rule holds).

The load cap is an eligibility rule (``reviews.draw.pool``); the batch program also keeps it as a
row, because there one expert's load is shared between the reviews of the batch.
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reviews.draw.text import gettext as _

CATEGORIES = ("entrepreneur", "specialist", "scholar")
ID, CATEGORY, ORG, GOV, LOAD = range(5)

SEATS = "pool"
GOVERNMENT_SHARE = "government_share"
ONE_PER_ORGANIZATION = "one_per_organization"
EACH_CATEGORY = "each_category"
COMPOSITION = "composition"  # the hard rules together, when no single one explains the failure


def government_cap(panel_size, share):
    numerator, denominator = share
    return int(Fraction(panel_size * numerator, denominator))  # floor


@dataclass(frozen=True)
class Composition:
    """The composition rules of one review, read once from its (or its draw's) ``rules``."""

    size: int
    share: tuple
    gov_cap: int
    one_per_org: bool
    each_category: bool

    @classmethod
    def of(cls, rules):
        size = int(rules["panel_size"])
        share = tuple(rules.get("government_share_max") or [1, 1])
        return cls(
            size=size,
            share=share,
            gov_cap=government_cap(size, share),
            one_per_org=bool(rules.get("one_per_organization", True)),
            each_category=bool(rules.get("each_category", True)),
        )

    # ------------------------------------------------------------ the rules over a panel

    def too_many_government(self, panel):
        return sum(1 for c in panel if c[GOV]) > self.gov_cap

    def shares_an_organisation(self, panel):
        if not self.one_per_org:
            return False
        orgs = [c[ORG] for c in panel if c[ORG] is not None]
        return len(orgs) != len(set(orgs))

    def broken_by(self, panel):
        """The code of the first hard rule a (partial) panel breaks, or ``""``."""
        if self.too_many_government(panel):
            return GOVERNMENT_SHARE
        if self.shares_an_organisation(panel):
            return ONE_PER_ORGANIZATION
        return ""

    def wanted_categories(self, pool):
        """The categories a panel from ``pool`` is to cover: each one present, if the rule holds."""
        if not self.each_category:
            return []
        return [cat for cat in CATEGORIES if any(c[CATEGORY] == cat for c in pool)]

    @staticmethod
    def missing(panel, categories):
        present = {c[CATEGORY] for c in panel}
        return [cat for cat in categories if cat not in present]

    def leaves_room(self, panel, categories):
        """Whether the seats still free can take one of each category ``panel`` lacks."""
        return len(self.missing(panel, categories)) <= self.size - len(panel)

    def complete(self, panel, categories):
        """A whole panel that keeps every rule and covers ``categories``."""
        if len(panel) != self.size or len({c[ID] for c in panel}) != self.size:
            return False
        return not self.broken_by(panel) and not self.missing(panel, categories)

    def rows(self, everyone, categories):
        """The rules as linear rows ``(members, low, high)`` over one binary per candidate of
        ``everyone``: the integer program of the single-review feasibility oracle."""
        yield list(range(len(everyone))), self.size, self.size
        yield [i for i, c in enumerate(everyone) if c[GOV]], 0, self.gov_cap
        if self.one_per_org:
            by_org = {}
            for i, c in enumerate(everyone):
                if c[ORG] is not None:
                    by_org.setdefault(c[ORG], []).append(i)
            for members in by_org.values():
                if len(members) > 1:
                    yield members, 0, 1
        for cat in categories:
            yield [i for i, c in enumerate(everyone) if c[CATEGORY] == cat], 1, np.inf

    # ------------------------------------------------------------ why a pool cannot give a panel

    def shortfall(self, pool):
        """``(code, message)`` for the first rule ``pool`` cannot meet on its own, or ``("", "")``."""
        if len(pool) < self.size:
            return SEATS, _(
                "Only {count} eligible experts for a panel of {size}: {short} short "
                "(eligibility rules: status, term, availability, domains, conflicts, load cap)."
            ).format(count=len(pool), size=self.size, short=self.size - len(pool))
        if self.one_per_org:
            distinct = self._distinct_organisations(pool)
            if distinct < self.size:
                return ONE_PER_ORGANIZATION, _(
                    "At most one expert per organisation: the eligible experts come from only {count} "
                    "organisations for a panel of {size}: {short} short."
                ).format(count=distinct, size=self.size, short=self.size - distinct)
        outside = [c for c in pool if not c[GOV]]
        outside_distinct = self._distinct_organisations(outside) if self.one_per_org else len(outside)
        if outside_distinct + self.gov_cap < self.size:
            return GOVERNMENT_SHARE, _(
                "At most {num}/{den} from government bodies ({cap} of {size}): only {count} eligible "
                "experts outside government can sit together: {short} short."
            ).format(num=self.share[0], den=self.share[1], cap=self.gov_cap, size=self.size,
                     count=outside_distinct, short=self.size - self.gov_cap - outside_distinct)  # fmt: skip
        return "", ""

    @staticmethod
    def _distinct_organisations(rows):
        return len({c[ORG] for c in rows if c[ORG] is not None}) + sum(1 for c in rows if c[ORG] is None)

    def unmet(self, pool):
        """``(code, message)`` when the rules cannot be met together although none fails alone."""
        return COMPOSITION, _(
            "No panel of {size} meets the composition rules together (one per organisation, at most "
            "{num}/{den} from government bodies) with these {count} eligible experts."
        ).format(size=self.size, num=self.share[0], den=self.share[1], count=len(pool))

    # ------------------------------------------------------------ a seat filled by hand

    def replacement_problem(self, staying, leaving, incoming, *, alternatives=(), name=str, label=str):
        """``(code, message)`` when ``incoming`` taking ``leaving``'s seat beside ``staying`` would
        break a rule, or ``("", "")``. A category the panel has only in ``leaving`` must be kept
        when the roster allows: when one of ``alternatives`` (the eligible candidates who could take
        the seat instead) is of it and keeps the hard rules. ``name(expert_id)`` and
        ``label(category)`` word the message."""
        panel = [*staying, incoming]
        if self.too_many_government(panel):
            return GOVERNMENT_SHARE, _(
                "At most {num}/{den} of the panel from government bodies ({cap} of {size}): with {expert} "
                "it would have {count}."
            ).format(num=self.share[0], den=self.share[1], cap=self.gov_cap, size=self.size,
                     expert=name(incoming[ID]), count=sum(1 for c in panel if c[GOV]))  # fmt: skip
        if self.shares_an_organisation(panel):
            member = next(c for c in staying if c[ORG] == incoming[ORG])
            return ONE_PER_ORGANIZATION, _(
                "At most one expert per organisation: {expert} works at the same organisation as "
                "{member}, who is on the panel."
            ).format(expert=name(incoming[ID]), member=name(member[ID]))
        lost = self.missing(panel, self.wanted_categories([*staying, leaving]))
        for cat in lost:
            if any(c[CATEGORY] == cat and not self.broken_by([*staying, c]) for c in alternatives):
                return EACH_CATEGORY, _(
                    "At least one of each category: without {member} the panel has no {category}, and "
                    "an eligible {category} could take the seat."
                ).format(member=name(leaving[ID]), category=label(cat))
        return "", ""
