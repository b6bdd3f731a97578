"""Merging duplicates: one company (or deal) is kept, the others are merged into it and deleted.

Everything that named a merged record moves to the kept one, in one transaction, each write with
its history (the merged record's last version says "Merged into …", the kept one's "Merged in …"):
for a company its participations, aliases (its own names become aliases of the kept one), child
companies, the deals that created it (ventures) and its excerpt links; for a deal its parties, its
excerpt links and its venture. The merged records' slugs lead to the kept one (core/slugs.py), so
their old links answer 301. The kept record's own fields stay as they are.

The rules, checked for the preview and again, inside the transaction, for the merge:
- merging needs the model's `merge_<model>` permission (the Reviewers'): it deletes a record;
- a published or retracted record (kept, merged, or a deal, company or source whose parts move)
  is the reviewers' to change (core/parts.py): each needs its model's publish permission;
- a published record is merged only into a published one, so that its readers' links lead on to
  a page;
- the same company twice in one deal in the same role becomes one participation (the kept one's,
  with the stake and note filled in from the other where the kept one has none); in different
  roles both stay, as they would for any company;
- refused with a message: merging a company into its own child (the kept company's parent is one
  of those merged), merging deals that created different ventures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction

from companies.models import Alias, Company, Deal, Participation
from core.editorial import REVIEWED_STATES, EditorialState, can_publish, state_label
from core.parts import named, reviewed_parents
from core.slugs import former_slugs_move, former_slugs_of


class MergeRefused(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class MergePlan:
    """What merging `merged` into `keep` would do: `moves` in words (for the preview page),
    `problems` (empty: allowed), and the writes, run in order by `apply()`."""

    keep: models.Model
    merged: list[models.Model]
    user: object
    moves: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    writes: list[Callable[[], None]] = field(default_factory=list)
    # Run after every write: a merged record may still be named by another's moves (a merged
    # company the parent of another merged one) until then.
    deletes: list[Callable[[], None]] = field(default_factory=list)
    touched: dict[tuple, models.Model] = field(default_factory=dict)  # records whose state matters

    def touch(self, record: models.Model) -> None:
        self.touched.setdefault((record._meta.label_lower, record.pk), record)

    def saved(self, record: models.Model, reason: str) -> None:
        """Save `record` with the user and `reason` in its history."""
        record._history_user = self.user
        record._change_reason = reason[:100]
        record.save()

    def apply(self) -> None:
        for write in [*self.writes, *self.deletes]:
            write()


def merge_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.merge_{model._meta.model_name}"


def reason_into(keep: models.Model) -> str:
    return f"Merged into “{keep}” ({keep.slug})"


def reason_in(merged: models.Model) -> str:
    return f"Merged in “{merged}” ({merged.slug})"


def rule_problems(plan: MergePlan) -> list[str]:
    """The permission and editorial rules for the records the plan touches."""
    keep, user = plan.keep, plan.user
    model = type(keep)
    if not user.has_perm(merge_permission(model)):
        return [f"Only reviewers can merge {model._meta.verbose_name_plural}."]
    problems = []
    for record in plan.touched.values():
        if record.stored_editorial_state in REVIEWED_STATES and not can_publish(user, type(record)):
            problems.append(
                f"Only reviewers can change the {state_label(record.stored_editorial_state)} {named(record)}, "
                "which this merge would change."
            )
    if keep.stored_editorial_state != EditorialState.PUBLISHED:
        for merged in plan.merged:
            if merged.stored_editorial_state == EditorialState.PUBLISHED:
                problems.append(
                    f"The published {named(merged)} can only be merged into a published "
                    f"{model._meta.verbose_name}: keep it instead, or publish {named(keep)} first."
                )
    return problems


def _unique(records: list[models.Model]) -> list[models.Model]:
    return list({record.pk: record for record in records}.values())


def _validated(*, keep: models.Model, merged: list[models.Model]) -> list[models.Model]:
    merged = [record for record in _unique(merged) if record.pk != keep.pk]
    if not merged:
        raise MergeRefused([f"Choose at least one other {keep._meta.verbose_name} to merge into {named(keep)}."])
    return merged


# -- moving parties, shared by companies and deals ------------------------------------------


def plan_participations(plan: MergePlan, *, moving: models.QuerySet, side: str) -> None:
    """Move `moving` (participations of a merged record) to the kept record on `side` ("company"
    or "deal"); one that would repeat a kept participation is collapsed into it."""
    keep = plan.keep
    other_side = "deal" if side == "company" else "company"
    kept = {(getattr(p, f"{other_side}_id"), p.role): p for p in Participation.objects.filter(**{side: keep})}
    for participation in moving.select_related("deal", "company"):
        plan.touch(participation.deal)
        key = (getattr(participation, f"{other_side}_id"), participation.role)
        if key in kept:
            plan.moves.append(
                f"{participation}: the same as the kept {named(keep)}'s, so the two become one participation."
            )
            plan.writes.append(_collapse(plan, participation, into=kept[key]))
        else:
            kept[key] = participation
            plan.moves.append(f"Participation moves: {participation}.")
            plan.writes.append(_move(plan, participation, **{side: keep}))


def _collapse(plan: MergePlan, participation: Participation, *, into: Participation) -> Callable[[], None]:
    def write() -> None:
        if into.stake_percent is None and participation.stake_percent is not None:
            into.stake_percent = participation.stake_percent
        into.note = into.note or participation.note
        participation._history_user = plan.user
        participation._change_reason = reason_into(plan.keep)[:100]
        participation.delete()
        plan.saved(into, reason_in(participation.deal if isinstance(plan.keep, Deal) else participation.company))

    return write


def _move(plan: MergePlan, record: models.Model, **values) -> Callable[[], None]:
    merged_from = {name: getattr(record, name) for name in values}

    def write() -> None:
        for name, value in values.items():
            setattr(record, name, value)
        plan.saved(record, reason_into(plan.keep) + f" (was {', '.join(map(str, merged_from.values()))})")

    return write


def plan_excerpts(plan: MergePlan, merged: models.Model, *, relation: str) -> None:
    """Every excerpt backing `merged` backs the kept record instead (`relation`: the excerpt's
    "companies" or "deals")."""
    keep = plan.keep
    for excerpt in merged.excerpts.select_related("source"):
        for parent in reviewed_parents(excerpt):
            plan.touch(parent)
        plan.moves.append(f"Excerpt link moves: “{excerpt.quote[:80]}” ({excerpt.source}).")

        def write(excerpt=excerpt) -> None:
            getattr(excerpt, relation).remove(merged)
            getattr(excerpt, relation).add(keep)
            plan.saved(excerpt, reason_into(keep))  # the history keeps the links as they now are

        plan.writes.append(write)


def plan_slugs_and_delete(plan: MergePlan, merged: models.Model) -> None:
    keep = plan.keep
    old = [merged.slug, *former_slugs_of(merged)]
    plan.moves.append(f"Old addresses lead to {named(keep)}: {', '.join(old)}.")

    def write() -> None:
        former_slugs_move(merged=merged, into=keep)
        merged._history_user = plan.user
        merged._change_reason = reason_into(keep)[:100]
        merged.delete()
        plan.saved(keep, reason_in(merged))

    plan.deletes.append(write)


# -- companies --------------------------------------------------------------------------------


def company_merge_plan(*, keep: Company, merged: list[Company], user) -> MergePlan:
    """What merging the companies `merged` into `keep` would do, and what stops it."""
    merged = _validated(keep=keep, merged=merged)
    plan = MergePlan(keep=keep, merged=merged, user=user)
    for record in (keep, *merged):
        plan.touch(record)
    names = {keep.name.casefold(), *(alias.casefold() for alias in keep.aliases.values_list("name", flat=True))}
    for company in merged:
        if keep.parent_id == company.pk:
            plan.problems.append(
                f"{named(company)} is the parent of {named(keep)}: change the kept company's parent first."
            )
        plan_participations(plan, moving=company.participations.all(), side="company")
        plan_company_names(plan, company, names=names)
        for child in company.children.exclude(pk=keep.pk):
            plan.touch(child)
            plan.moves.append(f"Child company moves: {named(child)}.")
            plan.writes.append(_move(plan, child, parent=keep))
        for deal in company.created_by_deals.all():
            plan.touch(deal)
            plan.moves.append(f"Venture moves: {named(deal)} created {named(keep)}.")
            plan.writes.append(_move(plan, deal, venture=keep))
        plan_excerpts(plan, company, relation="companies")
        plan_slugs_and_delete(plan, company)
    plan.problems = rule_problems(plan) + plan.problems
    return plan


def plan_company_names(plan: MergePlan, company: Company, *, names: set[str]) -> None:
    """The merged company's name and aliases become the kept one's aliases (a name it already has
    is not repeated; an alias it already has is dropped with the merged company)."""
    keep = plan.keep
    if company.name.casefold() not in names:
        names.add(company.name.casefold())
        plan.moves.append(f"Its name becomes an alias: “{company.name}”.")

        def write(name=company.name) -> None:
            plan.saved(Alias(company=keep, name=name, kind=Alias.Kind.OTHER_NAME), reason_in(company))

        plan.writes.append(write)
    for alias in company.aliases.all():
        if alias.name.casefold() in names:
            plan.moves.append(f"Alias “{alias.name}” is already a name of {named(keep)}: dropped.")
            continue
        names.add(alias.name.casefold())
        plan.moves.append(f"Alias moves: “{alias.name}”.")
        plan.writes.append(_move(plan, alias, company=keep))


@transaction.atomic
def company_merge(*, keep: Company, merged: list[Company], user) -> MergePlan:
    """Merge the companies `merged` into `keep` in one transaction, or raise MergeRefused."""
    keep = Company.objects.select_for_update().get(pk=keep.pk)
    merged = list(Company.objects.select_for_update().filter(pk__in=[company.pk for company in merged]))
    plan = company_merge_plan(keep=keep, merged=merged, user=user)
    if plan.problems:
        raise MergeRefused(plan.problems)
    plan.apply()
    return plan


# -- deals ------------------------------------------------------------------------------------


def deal_merge_plan(*, keep: Deal, merged: list[Deal], user) -> MergePlan:
    """What merging the deals `merged` into `keep` would do, and what stops it."""
    merged = _validated(keep=keep, merged=merged)
    plan = MergePlan(keep=keep, merged=merged, user=user)
    for record in (keep, *merged):
        plan.touch(record)
    venture_id = keep.venture_id
    for deal in merged:
        plan_participations(plan, moving=deal.participations.all(), side="deal")
        if deal.venture_id and venture_id and deal.venture_id != venture_id:
            plan.problems.append(
                f"{named(deal)} created {named(deal.venture)}, and the kept deal another venture: "
                "make them the same first, or merge the ventures."
            )
        elif deal.venture_id and not venture_id:
            venture_id = deal.venture_id
            plan.moves.append(f"Venture moves: {named(keep)} created {named(deal.venture)}.")
            # Saved with the kept deal's "Merged in …" version.
            plan.writes.append(lambda venture=deal.venture: setattr(keep, "venture", venture))
        plan_excerpts(plan, deal, relation="deals")
        plan_slugs_and_delete(plan, deal)
    plan.problems = rule_problems(plan) + plan.problems
    return plan


@transaction.atomic
def deal_merge(*, keep: Deal, merged: list[Deal], user) -> MergePlan:
    """Merge the deals `merged` into `keep` in one transaction, or raise MergeRefused."""
    keep = Deal.objects.select_for_update().get(pk=keep.pk)
    merged = list(Deal.objects.select_for_update().filter(pk__in=[deal.pk for deal in merged]))
    plan = deal_merge_plan(keep=keep, merged=merged, user=user)
    if plan.problems:
        raise MergeRefused(plan.problems)
    plan.apply()
    return plan
