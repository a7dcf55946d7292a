"""Demo bounce histories (bin/run): what an admin sees on a real account — addresses
gone (5.1.1), mailboxes full until the streak cleaned them, a blocklist episode that
did not clean anyone, and one provider incident (Mailgun reporting "user unknown" for
two hours) to revert. All of it goes through the real service, so the evidence,
classes, cleanings and prior list statuses are what production would record."""

import random
from datetime import timedelta

from django.dispatch import receiver

from contacts_app.models import Contact
from contacts_app.signals import demo_workspace_seeded

from .services.bounces import BounceInput, bounces_apply

GONE = [
    "smtp; 550 5.1.1 <{e}>: Recipient address rejected: User unknown in virtual mailbox table",
    "smtp; 550 5.1.1 The email account that you tried to reach does not exist.",
    "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    "smtp; 550 5.2.1 The email account that you tried to reach is disabled.",
]
FULL = "smtp; 552 5.2.2 <{e}>: Mailbox full; quota exceeded"
BLOCK = "smtp; 550 5.7.1 Service unavailable; client host blocked using Spamhaus"
INCIDENT = "smtp; 550 5.1.1 mailbox unavailable (DNS lookup of MX failed)"


@receiver(demo_workspace_seeded)
def demo_bounce_histories(sender, workspace, contact_ids, now, **kwargs):
    rng = random.Random(7)
    emails = dict(Contact.objects.filter(id__in=contact_ids).values_list("id", "email"))
    ids = [i for i in contact_ids if i in emails]
    gone, full, incident, blocked = ids[:30], ids[30:42], ids[42:60], ids[60:70]
    seq = iter(range(1, 10**6))

    def ev(cid, kind, at, code, text):
        return BounceInput(
            event_id=f"demo-{next(seq)}",
            email=emails[cid],
            type=kind,
            occurred_at=at,
            code=code,
            diagnostic=text.format(e=emails[cid]),
            reported_as=kind,
        )

    ses, postmark, sendgrid, mailgun = [], [], [], []
    for cid in gone:  # a delivery or two, then the address disappeared
        start = now - timedelta(days=rng.randint(20, 200))
        ses.append(
            BounceInput(
                event_id=f"demo-{next(seq)}",
                email=emails[cid],
                type="delivered",
                occurred_at=start,
                reported_as="delivered",
            )
        )
        text = rng.choice(GONE)
        code = text.split()[2]
        ses.append(ev(cid, "hard", start + timedelta(days=rng.randint(3, 15), hours=rng.randint(0, 23)), code, text))
    for cid in full:  # seven "mailbox full" in a row over seven weeks: the streak cleaned them
        start = now - timedelta(days=rng.randint(60, 120))
        postmark += [ev(cid, "hard", start + timedelta(days=7 * k), "5.2.2", FULL) for k in range(7)]
    for cid in blocked:  # a blocklist episode: counted, never cleaned, then delivered again
        start = now - timedelta(days=rng.randint(10, 30))
        sendgrid += [ev(cid, "hard", start + timedelta(hours=k), "5.7.1", BLOCK) for k in range(2)]
        sendgrid.append(
            BounceInput(
                event_id=f"demo-{next(seq)}",
                email=emails[cid],
                type="delivered",
                occurred_at=start + timedelta(days=2),
                reported_as="delivered",
            )
        )
    outage = (now - timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    for cid in incident:  # the provider's incident: two hours of false "user unknown"
        mailgun.append(ev(cid, "hard", outage + timedelta(minutes=rng.randint(0, 119)), "5.1.1", INCIDENT))
    for provider, events in (("amazon_ses", ses), ("postmark", postmark), ("sendgrid", sendgrid), ("mailgun", mailgun)):
        bounces_apply(workspace=workspace, provider=provider, events=events, actor_label="demo data")
