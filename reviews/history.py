"""The one way reviews' services save a tracked row: the actor and the reason go into its history
(django-simple-history reads ``_history_user`` and ``_change_reason``; a task has no request)."""


def save_with_history(instance, *, by, reason, **kwargs):
    """Save ``instance`` with ``by`` (``None``: the system) and ``reason`` (cut to the history's
    100 characters) on its new history row. Returns ``instance``."""
    instance._history_user = by
    instance._change_reason = reason[:100]
    instance.save(**kwargs)
    return instance
