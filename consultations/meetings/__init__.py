"""Meetings (会议论证): the agenda, check-in and attendance, the vote on the group opinion and the minutes."""
