"""Account plans (大客户规划) over HTTP. Each handler: schema in, one action or query, schema out. Input
runs through the same forms as the pages, so the messages match.

404 for a plan you may not open, 403 for one you may read but not change (or review), 412 for a stale
If-Match, 422 for bad input with the field named.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Query, Router, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx

from kam.core.api import FieldProblem, KamLimitOffsetPagination, Problem, etag, expected_version
from kam.core.api_auth import actor
from kam.core.errors import StaleVersion, refuse
from kam.core.models import User
from kam.core.queries import get_or_404
from kam.customers.queries import visible_customers
from kam.planning import actions_account_plans as plans
from kam.planning import actions_plan_objectives as objectives
from kam.planning import actions_whitespace as whitespace
from kam.planning.converters_account_plans import action_out, objective_out, plan_grid_out, plan_out
from kam.planning.forms_account_plans import (
    ActionForm,
    BusinessUnitForm,
    CellForm,
    KeyPlayerForm,
    ObjectiveForm,
    PlanForm,
    ReviewForm,
    TeamMemberForm,
    plan_initial,
)
from kam.planning.models.account_plans import AccountPlan, KeyPlayer, PlanTeamMember
from kam.planning.queries_account_plans import (
    PLAN_FIELDS,
    PlanFilters,
    get_business_unit,
    get_key_player,
    get_objective,
    get_plan_action,
    get_plan_for_user,
    get_team_member,
    plan_list,
)
from kam.planning.schemas_account_plans import (
    ActionIn,
    ActionOut,
    ActionPatch,
    BusinessUnitIn,
    BusinessUnitOut,
    BusinessUnitPatch,
    CellIn,
    KeyPlayerIn,
    KeyPlayerOut,
    KeyPlayerPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    PlanFilterQuery,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlanRowOut,
    ReviewIn,
    ReviewOut,
    TeamMemberIn,
    TeamMemberOut,
    TeamMemberPatch,
    WhitespaceOut,
    api_field_names,
    form_values,
    sent_names,
)
from kam.sales.models import ProductLine

router = Router(tags=["account plans"])

IfMatch = HeaderEx[str | None, P(alias="If-Match", description='The ETag you read, e.g. "3"')]
READ = {401: Problem, 404: Problem}
WRITE = {401: Problem, 403: Problem, 404: Problem, 422: FieldProblem}
PLAN = "/account-plans/{int:plan_id}"


def _today() -> Any:
    return plans.shanghai_today()


def _answer(response: HttpResponse, user: User, plan_id: int) -> dict[str, Any]:
    plan = get_plan_for_user(user, plan_id)
    response["ETag"] = etag(plan.version)
    return plan_out(plan, _today())


def _writable(request: HttpRequest, plan_id: int) -> tuple[User, AccountPlan]:
    user = actor(request)
    return user, get_plan_for_user(user, plan_id, write=True)


# --- plans ------------------------------------------------------------------------------------


@router.get("/account-plans", response=list[PlanRowOut], summary="Account plans I may open, filtered")
@paginate(KamLimitOffsetPagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilterQuery]) -> QuerySet[AccountPlan]:
    chosen = PlanFilters(owner=filters.owner_id, team=filters.team_id, stage=filters.stage)
    return plan_list(actor(request), chosen, _today())


@router.post("/account-plans", response={201: PlanOut, **WRITE}, summary="Create the plan of a customer")
def create_plan(request: HttpRequest, payload: PlanIn, response: HttpResponse) -> Status[dict[str, Any]]:
    user = actor(request)
    customer = visible_customers(user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise refuse(_("Choose a customer you can open."), "customer_id")
    sent = payload.model_dump(exclude={"customer_id"})
    with api_field_names():
        data = form_values(PlanForm, sent)
        plan = plans.create_plan(user, customer, data)
    return Status(201, _answer(response, user, plan.pk))


@router.get(PLAN, response={200: PlanOut, **READ}, summary="One plan with its team, key players, objectives")
def get_plan(request: HttpRequest, plan_id: int, response: HttpResponse) -> dict[str, Any]:
    return _answer(response, actor(request), plan_id)


@router.patch(PLAN, response={200: PlanOut, 412: Problem, **WRITE}, summary="Change Gold Sheet fields (If-Match)")
def patch_plan(
    request: HttpRequest, plan_id: int, payload: PlanPatch, response: HttpResponse, if_match: IfMatch = None
) -> dict[str, Any]:
    user, plan = _writable(request, plan_id)
    version = expected_version(if_match)
    if version is not None and version != plan.version:
        raise StaleVersion(plan.version)
    sent = payload.model_dump(exclude_unset=True)
    for name in ("trends", "strengths", "vulnerabilities", "relationship_stage"):
        if name in sent and sent[name] is None:
            raise refuse(_("This field cannot be empty."), name)
    data = form_values(PlanForm, {**plan_initial(plan), **sent, "version": ""})
    plans.update_plan(user, plan, {name: data[name] for name in PLAN_FIELDS if name in sent}, expected_version=version)
    return _answer(response, user, plan_id)


# --- our team ---------------------------------------------------------------------------------


@router.post(PLAN + "/team", response={201: TeamMemberOut, **WRITE}, summary="Add a colleague to our team")
def add_team_member(request: HttpRequest, plan_id: int, payload: TeamMemberIn) -> Status[PlanTeamMember]:
    user, plan = _writable(request, plan_id)
    with api_field_names():
        data = form_values(TeamMemberForm, payload.model_dump(), actor=user)
        member = plans.add_team_member(user, plan, data["user"], data["responsibility"])
    return Status(201, member)


@router.patch(PLAN + "/team/{int:member_id}", response={200: TeamMemberOut, **WRITE}, summary="Change a role")
def patch_team_member(request: HttpRequest, plan_id: int, member_id: int, payload: TeamMemberPatch) -> Any:
    user, plan = _writable(request, plan_id)
    member = get_team_member(plan, member_id)
    data = form_values(
        TeamMemberForm, {"user_id": member.user_id, **payload.model_dump()}, actor=user, current=member.user_id
    )
    return plans.update_team_member(user, member, data["responsibility"])


@router.delete(PLAN + "/team/{int:member_id}", response={204: None, **WRITE}, summary="Take off our team")
def remove_team_member(request: HttpRequest, plan_id: int, member_id: int) -> Status[None]:
    user, plan = _writable(request, plan_id)
    plans.remove_team_member(user, get_team_member(plan, member_id))
    return Status(204, None)


# --- key players ------------------------------------------------------------------------------


@router.post(PLAN + "/key-players", response={201: KeyPlayerOut, **WRITE}, summary="Name a key player")
def add_key_player(request: HttpRequest, plan_id: int, payload: KeyPlayerIn) -> Status[KeyPlayer]:
    user, plan = _writable(request, plan_id)
    with api_field_names():
        data = form_values(KeyPlayerForm, payload.model_dump(), plan=plan)
        player = plans.add_key_player(user, plan, data["contact"], data["role"], data["notes"])
    return Status(201, player)


@router.patch(PLAN + "/key-players/{int:player_id}", response={200: KeyPlayerOut, **WRITE}, summary="Role, notes")
def patch_key_player(request: HttpRequest, plan_id: int, player_id: int, payload: KeyPlayerPatch) -> KeyPlayer:
    user, plan = _writable(request, plan_id)
    player = get_key_player(plan, player_id)
    sent = payload.model_dump(exclude_unset=True)
    stored = {"contact_id": player.contact_id, "role": player.role, "notes": player.notes}
    data = form_values(KeyPlayerForm, {**stored, **sent}, plan=plan)
    return plans.update_key_player(user, player, {name: data[name] for name in sent_names(sent)})


@router.delete(PLAN + "/key-players/{int:player_id}", response={204: None, **WRITE}, summary="Remove a key player")
def remove_key_player(request: HttpRequest, plan_id: int, player_id: int) -> Status[None]:
    user, plan = _writable(request, plan_id)
    plans.remove_key_player(user, get_key_player(plan, player_id))
    return Status(204, None)


# --- objectives and actions -------------------------------------------------------------------


@router.post(PLAN + "/objectives", response={201: ObjectiveOut, **WRITE}, summary="Add an objective")
def add_objective(request: HttpRequest, plan_id: int, payload: ObjectiveIn) -> Status[dict[str, Any]]:
    user, plan = _writable(request, plan_id)
    with api_field_names():
        data = form_values(ObjectiveForm, payload.model_dump(), actor=user)
        objective = objectives.create_objective(user, plan, data)
    return Status(201, objective_out(get_objective(plan, objective.pk), _today()))


@router.patch(PLAN + "/objectives/{int:objective_id}", response={200: ObjectiveOut, **WRITE}, summary="Change it")
def patch_objective(request: HttpRequest, plan_id: int, objective_id: int, payload: ObjectivePatch) -> dict[str, Any]:
    user, plan = _writable(request, plan_id)
    objective = get_objective(plan, objective_id)
    sent = payload.model_dump(exclude_unset=True)
    stored = {"title": objective.title, "owner_id": objective.owner_id, "due_date": objective.due_date}
    stored["status"] = objective.status
    with api_field_names():
        data = form_values(ObjectiveForm, {**stored, **sent}, actor=user, current=objective.owner_id)
        objectives.update_objective(user, objective, {name: data[name] for name in sent_names(sent)})
    return objective_out(get_objective(plan, objective_id), _today())


@router.delete(PLAN + "/objectives/{int:objective_id}", response={204: None, **WRITE}, summary="Delete it")
def delete_objective(request: HttpRequest, plan_id: int, objective_id: int) -> Status[None]:
    user, plan = _writable(request, plan_id)
    objectives.delete_objective(user, get_objective(plan, objective_id))
    return Status(204, None)


@router.post(
    PLAN + "/objectives/{int:objective_id}/actions", response={201: ActionOut, **WRITE}, summary="Add an action"
)
def add_action(request: HttpRequest, plan_id: int, objective_id: int, payload: ActionIn) -> Status[dict[str, Any]]:
    user, plan = _writable(request, plan_id)
    objective = get_objective(plan, objective_id)
    with api_field_names():
        data = form_values(ActionForm, payload.model_dump(), actor=user)
        action = objectives.create_plan_action(user, objective, data)
    return Status(201, action_out(get_plan_action(plan, action.pk)))


@router.patch(PLAN + "/actions/{int:action_id}", response={200: ActionOut, **WRITE}, summary="Change, tick off")
def patch_action(request: HttpRequest, plan_id: int, action_id: int, payload: ActionPatch) -> dict[str, Any]:
    user, plan = _writable(request, plan_id)
    action = get_plan_action(plan, action_id)
    sent = payload.model_dump(exclude_unset=True)
    done = sent.pop("done", None)
    stored = {"title": action.title, "owner_id": action.owner_id, "due_date": action.due_date}
    with api_field_names():
        data = form_values(ActionForm, {**stored, **sent}, actor=user, current=action.owner_id)
        action = objectives.update_plan_action(user, action, {name: data[name] for name in sent_names(sent)})
    if done is not None:
        objectives.set_action_done(user, action, done)
    return action_out(get_plan_action(plan, action_id))


@router.delete(PLAN + "/actions/{int:action_id}", response={204: None, **WRITE}, summary="Delete an action")
def delete_action(request: HttpRequest, plan_id: int, action_id: int) -> Status[None]:
    user, plan = _writable(request, plan_id)
    objectives.delete_plan_action(user, get_plan_action(plan, action_id))
    return Status(204, None)


# --- whitespace -------------------------------------------------------------------------------


@router.post(PLAN + "/business-units", response={201: BusinessUnitOut, **WRITE}, summary="Add a grid row")
def add_business_unit(request: HttpRequest, plan_id: int, payload: BusinessUnitIn) -> Status[Any]:
    user, plan = _writable(request, plan_id)
    data = form_values(BusinessUnitForm, payload.model_dump())
    return Status(201, whitespace.create_business_unit(user, plan, data["name"], data["position"]))


@router.patch(PLAN + "/business-units/{int:unit_id}", response={200: BusinessUnitOut, **WRITE}, summary="Rename")
def patch_business_unit(request: HttpRequest, plan_id: int, unit_id: int, payload: BusinessUnitPatch) -> Any:
    user, plan = _writable(request, plan_id)
    unit = get_business_unit(plan, unit_id)
    sent = payload.model_dump(exclude_unset=True)
    data = form_values(BusinessUnitForm, {"name": unit.name, "position": unit.position, **sent})
    return whitespace.update_business_unit(user, unit, {name: data[name] for name in sent})


@router.delete(PLAN + "/business-units/{int:unit_id}", response={204: None, **WRITE}, summary="Delete a grid row")
def delete_business_unit(request: HttpRequest, plan_id: int, unit_id: int) -> Status[None]:
    user, plan = _writable(request, plan_id)
    whitespace.delete_business_unit(user, get_business_unit(plan, unit_id))
    return Status(204, None)


@router.get(PLAN + "/whitespace", response={200: WhitespaceOut, **READ}, summary="The grid and share of wallet")
def get_whitespace(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return plan_grid_out(get_plan_for_user(actor(request), plan_id))


@router.put(
    PLAN + "/whitespace/{int:unit_id}/{int:product_line_id}",
    response={200: WhitespaceOut, **WRITE},
    summary="Set one cell; answers with the whole grid",
)
def put_cell(request: HttpRequest, plan_id: int, unit_id: int, product_line_id: int, payload: CellIn) -> Any:
    user, plan = _writable(request, plan_id)
    unit = get_business_unit(plan, unit_id)
    line = get_or_404(ProductLine.objects.filter(organization_id=plan.organization_id, active=True), product_line_id)
    with api_field_names():
        current = unit.cells.filter(product_line_id=line.pk).values_list("competitor_id", flat=True).first()
        data = form_values(CellForm, payload.model_dump(), actor=user, current=current)
        whitespace.set_cell(user, plan, unit, line, data)
    return plan_grid_out(plan)


# --- reviews ----------------------------------------------------------------------------------


@router.post(PLAN + "/reviews", response={201: ReviewOut, **WRITE}, summary="Review the plan (managers above)")
def add_review(request: HttpRequest, plan_id: int, payload: ReviewIn) -> Status[Any]:
    user = actor(request)
    plan = get_plan_for_user(user, plan_id, review=True)
    data = form_values(ReviewForm, payload.model_dump())
    return Status(201, plans.add_review(user, plan, data["reviewed_on"], data["comments"]))
