"""Masking of contact details for display and logs: the one place that decides what is hidden."""


def mask_mobile(value):
    """``13812345678`` → ``138****5678``; a ``+86`` prefix is kept; short values are hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    prefix = ""
    if value.startswith("+86"):
        prefix, value = "+86", value[3:]
    if len(value) < 8:
        return prefix + "*" * len(value)
    return f"{prefix}{value[:3]}****{value[-4:]}"


def mask_email(value):
    """``zhangsan@example.cn`` → ``z***@example.cn``."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_account(value):
    """A bank account number ``6222021234567890123`` → ``6222 **** 0123``; short values are hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 12:
        return "*" * len(value)
    return f"{value[:4]} **** {value[-4:]}"
