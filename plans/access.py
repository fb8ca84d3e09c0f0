"""How the golden thread's objects are scoped (the mechanism is ``pmf.access``), and who may update and sign off
an action. Loaded by ``PlansConfig.ready``.

Plans and their items are read council-wide, except individual objectives (the person's own, their managers'
and the full-read roles'). Actions are read by the full-read roles, and within the council: key actions, those of
the user's directorate or service, their own, and those beneath their portfolio's priorities or their
committee's remit.
"""

from __future__ import annotations

from django.db.models import Q

from plans.models import PlanItem
from plans.selectors import remit_paths, under_items_q
from pmf.access import Scope, any_of, extend_scope, in_councils, register, scope_for
from pmf.choices import CommitteeKind
from pmf.models import User


@extend_scope
def _load_remit_paths(scope: Scope) -> None:
    """The plan items a Cabinet member's portfolio and a scrutiny member's committee cover, once per request."""
    if scope.portfolios or scope.committees:
        scope.item_paths = remit_paths(PlanItem.objects.all(), portfolios=scope.portfolios,
                                       committees=scope.committees)


def beneath_remit(s: Scope, prefix: str) -> list[Q]:
    """Linked (through ``prefix``, e.g. ``plan_items__``) beneath the user's portfolio or committee remit."""
    return [under_items_q(s.item_paths, prefix=prefix)] if s.item_paths else []


def action_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    partial = [
        Q(**{f"{p}is_key": True}),
        Q(**{f"{p}service__directorate__in": s.directorates}),
        Q(**{f"{p}service__in": s.services}),
        Q(**{f"{p}owner": s.user_id}),
        *beneath_remit(s, f"{p}plan_items__"),
    ]
    return Q(**{f"{p}council__in": s.full}) | (Q(**{f"{p}council__in": s.councils}) & any_of(partial))


def plan_q(s: Scope, prefix: str = "") -> Q:
    """Plans are read council-wide, except individual objectives: the person's own, their managers' and the
    full-read roles'."""
    p = prefix
    personal = [
        Q(**{f"{p}person": s.user_id}),
        Q(**{f"{p}team__in": s.teams}),
        Q(**{f"{p}team__service__in": s.services}),
        Q(**{f"{p}team__service__directorate__in": s.directorates}),
    ]
    return Q(**{f"{p}council__in": s.full}) | (
        Q(**{f"{p}council__in": s.councils}) & (Q(**{f"{p}person__isnull": True}) | any_of(personal))
    )


register("plans.PlanLevel", in_councils("council"))
register("plans.Plan", plan_q)
register("plans.PlanItem", lambda s: plan_q(s, "plan__"))
register("plans.PlanItem_committees", in_councils("committee__councils"), subquery=True)  # committees' remits
register("plans.Action", action_q, subquery=True)
register("plans.ActionUpdate", lambda s: action_q(s, "action__"), subquery=True)
register("plans.Milestone", lambda s: action_q(s, "action__"), subquery=True)
register("plans.Programme", in_councils("council"))
register("plans.Project", in_councils("programme__council"))
register("plans.DecisionPoint", in_councils("project__programme__council"))


# -- What a user may do with an action ---------------------------------------------------------------------------

def can_update_action(user: User, action) -> bool:
    return user.is_superuser or action.owner_id == user.pk or action.council_id in scope_for(user).configure


def can_sign_off_action(user: User, action) -> bool:
    s = scope_for(user)
    return user.is_superuser or (
        action.council_id in s.councils and action.service is not None and action.service.directorate_id in s.sign_off
    )


# -- Who records a programme's decisions (A6) --------------------------------------------------------------------

def board_ids_for(user: User) -> set[int]:
    """The boards (committees of kind board) the user sits on: a role held with that committee."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_pmf_boards", None)
    if cached is None:
        cached = set(user.role_assignments.filter(committee__kind=CommitteeKind.BOARD)
                     .values_list("committee_id", flat=True))
        user._pmf_boards = cached
    return cached


def can_decide(user: User, programme) -> bool:
    """Only members of the board that owns the programme record the decisions at its decision points."""
    if programme.board_id is None:
        return False
    return user.is_superuser or (programme.board_id in board_ids_for(user)
                                 and programme.council_id in scope_for(user).councils)
