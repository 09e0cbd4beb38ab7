"""``{% load criteria %}``: a scoring criterion's name on a page, from ``reviews.criteria.label``.

``{{ c|criterion_label }}`` names a criterion of ``review.criteria``; ``{{ key|criterion_of:review }}``
names a key of an opinion's scores by the review's criteria."""

from django import template

from reviews import criteria

register = template.Library()


@register.filter
def criterion_label(criterion):
    return criteria.label(criterion)


@register.filter
def criterion_of(key, review):
    return criteria.label_of(getattr(review, "criteria", None), key)
