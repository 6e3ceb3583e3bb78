"""The morning briefing (晨会): whose work and which hours it covers, and its sections in order.

The briefing of day D covers the records from the start of the previous working day up to the
start of D (Asia/Shanghai), so Monday's meeting reads Friday's (and the weekend's) work and the
first day after a holiday reads the last working day before it. A manager or director reads their
team subtree (or one team of it), a rep reads their own work. The people are always a subset of
`people_in_view(viewer)`, so every row about them is one the viewer may open one by one.

The sections come from `kam.planning.registry`: the built-in ones live in `briefing_sections.py`,
later modules add theirs with one `register_briefing_section(...)` call in their AppConfig.ready().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from kam.core.models import Role, Team, User
from kam.core.queries import get_or_404, people_in_view
from kam.core.workcal import previous_workday
from kam.planning.registry import BriefingBlock, BriefingWindow, briefing_sections


@dataclass(frozen=True)
class BriefingLine:
    cells: list[str]
    link: str
    highlight: bool
    columns: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> list[tuple[str, str]]:
        """(column, cell) pairs: on a phone each row is drawn as a card with its column names."""
        return [(self.columns[i] if i < len(self.columns) else "", cell) for i, cell in enumerate(self.cells)]


@dataclass
class BriefingPart:
    """One section as the page, the API and the PDF show it."""

    key: str
    title: str | Promise
    block: BriefingBlock

    @property
    def count(self) -> int:
        """How many rows the section has in all (more than shown when it was cut short)."""
        return self.block.total if self.block.total is not None else len(self.block.rows)

    @property
    def lines(self) -> list[BriefingLine]:
        """The rows with their link and highlight, for templates (which cannot zip)."""
        links, flags = self.block.links, self.block.highlight
        columns = [str(column) for column in self.block.columns]
        return [
            BriefingLine(row, links[i] if i < len(links) else "", flags[i] if i < len(flags) else False, columns)
            for i, row in enumerate(self.block.rows)
        ]


@dataclass
class Briefing:
    window: BriefingWindow
    team: Team | None  # the team the viewer narrowed the briefing to, if any
    parts: list[BriefingPart]

    @property
    def viewer(self) -> User:
        return self.window.viewer

    @property
    def day(self) -> date:
        return self.window.day


def briefing_teams(viewer: User) -> QuerySet[Team]:
    """Teams the viewer may narrow the briefing to: their subtree (admins: every team); reps none."""
    teams = Team.objects.filter(organization_id=viewer.organization_id)
    if viewer.role == Role.ADMIN:
        return teams.order_by("path")
    if viewer.supervises:
        return teams.filter(path__startswith=viewer.team.path).order_by("path")  # type: ignore[union-attr]
    return teams.none()


def day_start(day: date) -> datetime:
    """Midnight of a Shanghai day, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def briefing_window(viewer: User, day: date, team_id: object = None) -> tuple[BriefingWindow, Team | None]:
    """The people and hours the briefing of `day` covers; a team outside the viewer's reach is 404."""
    people = people_in_view(viewer)
    team = None
    if team_id not in (None, ""):
        team = get_or_404(briefing_teams(viewer), team_id)
        people = people.filter(team__path__startswith=team.path)
    member_ids = sorted(people.values_list("id", flat=True))
    since = day_start(previous_workday(day, viewer.organization_id))
    window = BriefingWindow(viewer=viewer, member_ids=member_ids, day=day, since=since, until=day_start(day))
    return window, team


def briefing_for(
    viewer: User, day: date | None = None, team_id: object = None, now: datetime | None = None
) -> Briefing:
    """Every registered section for the meeting of `day` (default: today at `now`).

    Sections read as of the start of `day`, so the page, its print-out and the PDF agree all morning.
    """
    if day is None:
        day = timezone.localdate(now or timezone.now())
    window, team = briefing_window(viewer, day, team_id)
    parts = []
    for section in briefing_sections():
        block = section.fetch(window)
        if block is not None:
            parts.append(BriefingPart(section.key, section.title, block))
    return Briefing(window=window, team=team, parts=parts)
