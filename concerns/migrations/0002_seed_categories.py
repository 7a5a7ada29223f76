"""The KCSIE-aligned categories every organisation starts with; administrators can add and retire."""

from django.db import migrations

CATEGORIES = [
    ("Physical abuse", "Hitting, shaking, throwing, burning, or other physical harm; unexplained or repeated injuries.", False, False),
    ("Emotional abuse", "Persistent ill-treatment that harms emotional development: belittling, threats, fear.", False, False),
    ("Sexual abuse", "Forcing or enticing a child into sexual activity, in person or online.", True, False),
    ("Neglect", "Persistent failure to meet basic needs: food, clothing, shelter, supervision, medical care.", False, False),
    ("Child-on-child abuse", "Abuse between children, including bullying, physical abuse and initiation violence.", False, False),
    ("Sexual violence and sexual harassment between children", "Rape, assault, sexual comments, image sharing or harassment by another child.", True, False),
    ("Online safety", "Harmful content, contact or conduct online: grooming, sharing images, cyberbullying.", False, False),
    ("Child sexual exploitation", "A child exchanged or coerced into sexual activity for something they need or want.", True, False),
    ("Child criminal exploitation", "A child coerced into crime: county lines, carrying drugs or weapons, theft.", False, False),
    ("Domestic abuse", "A child who sees, hears or experiences abuse between family members or partners.", False, False),
    ("Female genital mutilation", "Known or suspected FGM: teachers must report known cases to the police.", True, False),
    ("Radicalisation", "Signs of being drawn into extremism or terrorism (Prevent).", True, False),
    ("Honour-based abuse and forced marriage", "Abuse to protect or defend a family's honour; a marriage without full consent.", True, False),
    ("Serious violence", "Involvement in or risk from knife crime, gangs, or serious violence.", False, False),
    ("Mental health", "A worry about the child's mental health that may indicate harm or risk.", False, False),
    ("Self-harm", "Injuring themselves, or talk or signs of self-harm or suicidal thoughts.", False, False),
    ("Substance misuse", "Use of drugs or alcohol by the child, or by adults caring for them.", False, False),
    ("Children missing education", "Unexplained absence, a child taken off roll, or repeated missing episodes.", False, False),
    ("Private fostering", "A child under 16 cared for by someone who is not a close relative for 28 days or more.", False, False),
    ("Low-level welfare concern", "A small worry on its own that may matter alongside others: tiredness, hunger, hygiene.", False, True),
    ("Other", "Anything else that worries you about a child's safety or welfare.", False, False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    for position, (name, guidance, restricted, low_level) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            name=name,
            defaults={"guidance": guidance, "is_restricted": restricted, "is_low_level": low_level, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
