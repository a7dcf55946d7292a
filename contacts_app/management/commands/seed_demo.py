"""A realistic demo workspace. Idempotent: a second run finds it and changes nothing."""

import contextlib
import os
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contacts_app.admin.support import support_group_ensure
from contacts_app.models import (
    Account,
    AuditEvent,
    Automation,
    Contact,
    ContactStatus,
    ContactTag,
    Deal,
    DealContact,
    EmailStatus,
    Form,
    ListMembership,
    MailingList,
    MembershipStatus,
    Role,
    Tag,
    Trigger,
    Workspace,
    WorkspaceMembership,
)
from contacts_app.services.archive import contacts_archive
from contacts_app.services.merge import contacts_merge
from contacts_app.signals import demo_workspace_seeded

FIRST = (
    "Alice Bruno Chloé Daniel Emma Farid Gabriel Hanna Inès Jules Karim Léa Marc Nadia Oscar Paul Quentin Rose Sofia "
    "Tom Ugo Victor Wendy Yanis Zoé Hugo Camille Lucas Manon Nora"
).split()
LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Mercier Blanc Guerin Boyer Garnier Chevalier Francois"
).split()
DOMAINS = "gmail.com outlook.com yahoo.fr orange.fr free.fr proton.me acme-corp.com northwind.io".split()
LISTS = ["Newsletter", "Product updates", "Webinar attendees", "Customers", "Partners", "Events Paris"]
TAGS = (
    "VIP lead customer prospect churn-risk newsletter webinar partner paris lyon "
    "enterprise smb trial referral event-2026 press investor beta support-ticket do-not-call"
).split()
ARCHIVE_AGES_DAYS = (10, 29, 31, 45, 200, 364, 400)
PER_AGE = 30
USERS = {"admin": "admin", "member": "member", "support": "support"}


@contextlib.contextmanager
def _events_dated(when):
    """The activity log of a seeded past: what the block records is dated `when` (the
    demo's archives span a year; their events said "today")."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield
    AuditEvent.objects.filter(id__gt=last).update(created_at=when)


class Command(BaseCommand):
    help = "Create the demo workspace 'acme' (about 2,000 contacts) and its users. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=2000)
        parser.add_argument("--reset", action="store_true", help="Delete the demo workspaces first.")

    def handle(self, *args, contacts: int, reset: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates the demo logins admin/admin, member/member and support/support "
                "(a superuser), so it runs only with DEBUG=true: never on a production database."
            )
        needed = len(ARCHIVE_AGES_DAYS) * PER_AGE + 12 + 60 + 10
        if contacts < needed:
            raise CommandError(f"--contacts must be at least {needed} to hold every demo case.")
        if reset:
            Workspace.objects.filter(slug__in=["acme", "globex"]).delete()
        users = self._users()
        if Workspace.objects.filter(slug="acme").exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            with transaction.atomic():
                self._seed_acme(users, contacts)
                self._seed_globex(users)
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_summary()

    def _users(self):
        User = get_user_model()
        users = {}
        for username, password in USERS.items():
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created:
                user.set_password(password)
            if username == "support":  # S8: staff with the Support group, not a superuser
                user.is_staff, user.is_superuser = True, False
            user.save()
            if username == "support":
                user.groups.add(support_group_ensure())
            users[username] = user
        return users

    def _seed_acme(self, users, n_contacts: int) -> None:
        rng = random.Random(2026)
        now = timezone.now()
        ws = Workspace.objects.create(name="Acme Outdoor Co.", slug="acme", contact_limit=1000)
        WorkspaceMembership.objects.create(workspace=ws, user=users["admin"], role=Role.ADMIN)
        WorkspaceMembership.objects.create(workspace=ws, user=users["member"], role=Role.MEMBER)

        lists = MailingList.objects.bulk_create([MailingList(workspace=ws, name=n) for n in LISTS])
        tags = Tag.objects.bulk_create([Tag(workspace=ws, name=n) for n in TAGS])
        accounts = Account.objects.bulk_create(
            [
                Account(
                    workspace=ws, name=f"{rng.choice(LAST)} {rng.choice(['SA', 'SAS', 'Ltd', 'GmbH', 'Inc.'])} #{i + 1}"
                )
                for i in range(50)
            ]
        )

        contacts = []
        for i in range(n_contacts):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = (
                f"{first.lower().replace('é', 'e').replace('è', 'e').replace('ï', 'i')}."
                f"{last.lower().replace('é', 'e')}{i}@{rng.choice(DOMAINS)}"
            )
            contacts.append(
                Contact(
                    workspace=ws,
                    email=email,
                    first_name=first,
                    last_name=last,
                    phone=(
                        f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                    ),
                    created_at=now - timedelta(days=rng.randint(420, 1100), minutes=rng.randint(0, 1440)),
                    account=rng.choice(accounts) if rng.random() < 0.6 else None,
                )
            )
        contacts = Contact.objects.bulk_create(contacts, batch_size=1000)

        statuses = [MembershipStatus.SUBSCRIBED] * 7 + [
            MembershipStatus.UNCONFIRMED,
            MembershipStatus.UNSUBSCRIBED,
            MembershipStatus.BOUNCED,
        ]
        memberships, contact_tags = [], []
        for c in contacts:
            for ml in rng.sample(lists, rng.randint(1, 3)):
                memberships.append(
                    ListMembership(contact=c, mailing_list=ml, status=rng.choice(statuses), created_at=c.created_at)
                )
            for tag in rng.sample(tags, rng.randint(0, 4)):
                contact_tags.append(ContactTag(contact=c, tag=tag))
        ListMembership.objects.bulk_create(memberships, batch_size=2000)
        ContactTag.objects.bulk_create(contact_tags, batch_size=2000)

        deals = Deal.objects.bulk_create(
            [
                Deal(
                    workspace=ws,
                    title=f"{rng.choice(['Renewal', 'Upsell', 'New business', 'Pilot'])} – {rng.choice(accounts).name}",
                    value=Decimal(rng.randint(5, 300) * 100),
                )
                for _n in range(100)
            ]
        )
        links = []
        for deal in deals:
            members = rng.sample(contacts, rng.randint(1, 3))
            links += [DealContact(deal=deal, contact=c, is_primary=(k == 0)) for k, c in enumerate(members)]
        DealContact.objects.bulk_create(links)

        Automation.objects.bulk_create(
            [
                Automation(
                    workspace=ws,
                    name="Welcome series",
                    trigger=Trigger.CONTACT_CREATED,
                    send_subject="Welcome to Acme Outdoor",
                ),
                Automation(
                    workspace=ws,
                    name="Newsletter welcome",
                    trigger=Trigger.LIST_SUBSCRIBED,
                    trigger_list=lists[0],
                    send_subject="Thanks for subscribing",
                ),
                Automation(
                    workspace=ws,
                    name="VIP follow-up",
                    trigger=Trigger.TAG_ADDED,
                    trigger_tag=tags[0],
                    send_subject="A personal hello from our team",
                ),
            ]
        )
        signup = Form.objects.create(workspace=ws, name="Newsletter signup", is_active=True)
        signup.lists.set([lists[0]])
        old = Form.objects.create(workspace=ws, name="Spring webinar 2025 (closed)", is_active=False)
        old.lists.set([lists[2]])

        pool = contacts[:]
        rng.shuffle(pool)
        for age in ARCHIVE_AGES_DAYS:
            batch, pool = pool[:PER_AGE], pool[PER_AGE:]
            with _events_dated(now - timedelta(days=age, hours=1)):
                contacts_archive(
                    workspace=ws,
                    contact_ids=[c.id for c in batch],
                    actor=users["admin"],
                    now=now - timedelta(days=age, hours=1),
                )

        # Duplicates merged into a survivor (R3: never restorable).
        for k in range(12):
            survivor = pool.pop()
            dup = Contact.objects.create(
                workspace=ws,
                email=f"{survivor.first_name.lower()}.{k}.old@{rng.choice(DOMAINS)}",
                first_name=survivor.first_name,
                last_name=survivor.last_name,
                created_at=survivor.created_at - timedelta(days=30),
            )
            ListMembership.objects.create(contact=dup, mailing_list=rng.choice(lists))
            merged_at = now - timedelta(days=rng.randint(35, 300))
            with _events_dated(merged_at):
                contacts_merge(workspace=ws, survivor_id=survivor.id, duplicate_id=dup.id, actor=users["admin"])
            Contact.objects.filter(id=dup.id).update(archived_at=merged_at)

        # Bounce histories (C1, C7): the cleaned app turns these contacts into cleaned
        # addresses with their evidence, a provider incident to revert (C8) and a few
        # addresses that bounced softly but are still deliverable.
        demo_workspace_seeded.send(sender=self.__class__, workspace=ws, contact_ids=[c.id for c in pool[:80]], now=now)
        pool = pool[80:]

        # A plan with headroom: restoring even every archived contact stays under 90% (B3's
        # plain path). Globex, below, is the one near its limit (the overage path).
        everyone = Contact.objects.filter(workspace=ws).count()
        ws.contact_limit = -(-everyone * 3 // 200) * 100  # 1.5× everyone, rounded up to the hundred
        ws.save(update_fields=["contact_limit"])

    def _seed_globex(self, users) -> None:
        """A second customer near its plan limit: restoring its archived contacts needs the
        overage confirmation (B3). Some addresses are also Acme's: nothing crosses (S2)."""
        ws = Workspace.objects.create(name="Globex Corp", slug="globex", contact_limit=500)
        WorkspaceMembership.objects.create(workspace=ws, user=users["admin"], role=Role.ADMIN)
        WorkspaceMembership.objects.create(workspace=ws, user=users["support"], role=Role.ADMIN)
        acme_emails = list(Contact.objects.filter(workspace__slug="acme").values_list("email", flat=True)[:5])
        emails = acme_emails + [
            f"person{i}@globex.example" for i in range(len(acme_emails), 70)
        ]  # "Contact 64" is person64
        created = Contact.objects.bulk_create(
            [
                Contact(workspace=ws, email=e, first_name="Globex", last_name=f"Contact {i}")
                for i, e in enumerate(emails)
            ]
        )
        contacts_archive(
            workspace=ws,
            contact_ids=[c.id for c in created[30:]],
            actor=users["admin"],
            now=timezone.now() - timedelta(days=45),
        )
        ws.contact_limit = 50  # 30 billable now; restoring the 40 archived ones goes over
        ws.save(update_fields=["contact_limit"])

    def _print_summary(self) -> None:
        ws = Workspace.objects.get(slug="acme")
        signup_id = Form.objects.filter(workspace=ws, is_active=True).values_list("public_id", flat=True).first()
        by_status = {s: Contact.objects.filter(workspace=ws, status=s).count() for s in ContactStatus.values}
        cleaned = Contact.objects.filter(workspace=ws, email_status=EmailStatus.CLEANED).count()
        self.stdout.write(
            f"Workspace '{ws.name}' (acme): {by_status['active']} active, {by_status['archived']} archived, "
            f"{by_status['merged']} merged, {cleaned} cleaned; plan limit {ws.contact_limit}.\n"
            "Globex Corp (/w/globex/contacts/archived/) is near its plan limit: "
            "its restore asks to confirm the overage.\n"
            f"Log in at http://127.0.0.1:{os.getenv('PORT', '8000')}/ as\n"
            "  admin   / admin    (workspace admin: archive, restore, export)\n"
            "  member  / member   (workspace member: sees every page, adds and edits contacts)\n"
            "  support / support  (support staff: Django admin at /admin/)\n"
            f"A visitor's form (R9: type an archived contact's email, watch it come back): "
            f"http://127.0.0.1:{os.getenv('PORT', '8000')}/f/{signup_id}/"
        )
