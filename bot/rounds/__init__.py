"""Status rounds (Sachstandsabfragen): periods, opening, prompting, reminders, closing."""
