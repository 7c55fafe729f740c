"""Meetings of the bodies: cadence windows and candidate slots, polls, invitations with
iCalendar files, RSVPs, agendas, reminders and minutes."""
