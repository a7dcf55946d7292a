"""Small builders for test data; each returns saved rows."""

import functools
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from contacts_app.models import (
    Account,
    Contact,
    ContactTag,
    Deal,
    DealContact,
    ListMembership,
    MailingList,
    Role,
    Tag,
    Workspace,
    WorkspaceMembership,
)

_seq = itertools.count(1)


def make_workspace(slug: str | None = None, **kw) -> Workspace:
    n = next(_seq)
    return Workspace.objects.create(name=kw.pop("name", f"Workspace {n}"), slug=slug or f"ws-{n}", **kw)


@functools.cache
def _password_pw() -> str:
    """The production hasher's hash of "pw", computed once per process: each hash costs
    0.4 s here (PBKDF2, 1,000,000 rounds), and every test's users would pay it. Logging in
    with "pw" still goes through the real hasher, in the test and in every server."""
    return make_password("pw")


def make_user(username: str | None = None, **kw):
    User = get_user_model()
    return User.objects.create(username=username or f"user{next(_seq)}", password=_password_pw(), **kw)


def make_member(workspace: Workspace, role: str = Role.ADMIN, user=None):
    user = user or make_user()
    WorkspaceMembership.objects.create(workspace=workspace, user=user, role=role)
    return user


def make_contact(workspace: Workspace, email: str | None = None, **kw) -> Contact:
    n = next(_seq)
    return Contact.objects.create(
        workspace=workspace,
        email=email or f"person{n}@example.com",
        first_name=kw.pop("first_name", f"First{n}"),
        last_name=kw.pop("last_name", f"Last{n}"),
        **kw,
    )


def make_contacts(workspace: Workspace, count: int, **kw) -> list[Contact]:
    start = next(_seq) * 1_000_000
    return Contact.objects.bulk_create(
        [
            Contact(
                workspace=workspace, email=f"bulk{start + i}@example.com", first_name="Bulk", last_name=str(i), **kw
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def make_list(workspace: Workspace, name: str | None = None) -> MailingList:
    return MailingList.objects.create(workspace=workspace, name=name or f"List {next(_seq)}")


def make_tag(workspace: Workspace, name: str | None = None) -> Tag:
    return Tag.objects.create(workspace=workspace, name=name or f"tag-{next(_seq)}")


def make_account(workspace: Workspace, name: str | None = None) -> Account:
    return Account.objects.create(workspace=workspace, name=name or f"Account {next(_seq)}")


def make_deal(
    workspace: Workspace, contacts: list[Contact], primary: Contact | None = None, title: str | None = None
) -> Deal:
    deal = Deal.objects.create(workspace=workspace, title=title or f"Deal {next(_seq)}")
    primary = primary or (contacts[0] if contacts else None)
    DealContact.objects.bulk_create([DealContact(deal=deal, contact=c, is_primary=(c == primary)) for c in contacts])
    return deal


def subscribe(contact: Contact, mailing_list: MailingList, status: str = "subscribed") -> ListMembership:
    return ListMembership.objects.create(contact=contact, mailing_list=mailing_list, status=status)


def tag(contact: Contact, t: Tag) -> ContactTag:
    return ContactTag.objects.create(contact=contact, tag=t)


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)
