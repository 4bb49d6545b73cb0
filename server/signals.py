"""Domain events: what happened, for the packages that keep something in step with it (the
change feed, for one). The package where it happens sends; the receivers are connected in one
place, `server.connect_event_handlers`, so nothing reaches into another package's upkeep."""
from blinker import Namespace

_events = Namespace()

# A photo's bytes arrived. sender: the Photo; findings: the findings that link it.
photo_arrived = _events.signal("photo-arrived")
# A survey round opened and was flushed. sender: the new SurveyRound.
round_opened = _events.signal("round-opened")
# An estate's property company changed and was flushed. sender: the Estate.
estate_company_changed = _events.signal("estate-company-changed")
