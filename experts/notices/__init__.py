"""Notices: every text message and mail sent to an expert, one ``Notice`` each, sent by the task
worker through ``core.sms`` with retries, their delivery receipts collected (status query and the
provider's push), a failed invitation falling back to email and flagged for a phone call."""
