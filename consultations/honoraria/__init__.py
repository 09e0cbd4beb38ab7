"""Honoraria (专家咨询费): the rates the secretariat sets within the national standard, the
amounts computed from what happened (attendance, submitted opinions), the tax withheld, the
payments and their sheet for the finance office (docs/honoraria.md)."""
